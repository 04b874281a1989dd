/**
 * The benchmarks' pure helpers: the contracts.md §5 result (every key, in order, `commandsPerRecord`
 * included), percentiles, ratios, spreads, registry sizes and the generated population's duplicates.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { personOf, populationInput, DUPLICATE_SHARE } from '../../../bench/lib/population';
import { inContractOrder, percentiles, ratio, report, RESULT_KEYS, spread } from '../../../bench/lib/result';
import type { BenchResult } from '../../../bench/lib/result';
import { benchSizes, sizeLabel } from '../../../bench/lib/sizes';

const result: BenchResult = {
  commandsPerRecord: 0.03, ratioToCeiling: 0.5, ceiling: 200, rssMB: 300, p99: 3, p95: 2, p50: 1, throughput: 100, params: { n: 1 }, workload: 'w',
};

describe('the benchmark result (contracts.md §5)', () => {
  test('has exactly the contract keys, in the contract order', () => {
    expect(RESULT_KEYS).toEqual(['workload', 'params', 'throughput', 'p50', 'p95', 'p99', 'rssMB', 'ceiling', 'ratioToCeiling', 'commandsPerRecord']);
    expect(Object.keys(inContractOrder(result))).toEqual(RESULT_KEYS);
  });

  test('is written as <workload>.json with every key, commandsPerRecord null where no database is involved', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-result-'));
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    report({ ...result, workload: 'no-db', commandsPerRecord: null }, dir);
    log.mockRestore();
    const written = JSON.parse(readFileSync(join(dir, 'no-db.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(written)).toEqual(RESULT_KEYS);
    expect(written.commandsPerRecord).toBeNull();
  });
});

describe('percentiles, ratios and spreads', () => {
  test('nearest-rank percentiles of unsorted samples', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentiles(samples)).toEqual({ p50: 51, p95: 96, p99: 100 });
    expect(percentiles([])).toEqual({ p50: 0, p95: 0, p99: 0 });
    expect(percentiles([7])).toEqual({ p50: 7, p95: 7, p99: 7 });
  });

  test('a ratio needs a positive ceiling', () => {
    expect(ratio(50, 200)).toBe(0.25);
    expect(ratio(50, null)).toBeNull();
    expect(ratio(50, 0)).toBeNull();
  });

  test('min, median and max of repeated measurements', () => {
    expect(spread([3, 1, 2])).toEqual({ min: 1, median: 2, max: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ min: 1, median: 2, max: 4 });
  });
});

describe('registry sizes', () => {
  test('10k and 100k by default, 1M added by BENCH_FULL, BENCH_N overrides', () => {
    expect(benchSizes({})).toEqual([10_000, 100_000]);
    expect(benchSizes({ BENCH_FULL: '1' })).toEqual([10_000, 100_000, 1_000_000]);
    expect(benchSizes({ BENCH_N: '2000, 5000', BENCH_FULL: '1' })).toEqual([2000, 5000]);
    expect(() => benchSizes({ BENCH_N: '10k' })).toThrow(/BENCH_N/);
  });

  test('short labels for workload names', () => {
    expect([10_000, 100_000, 1_000_000, 2500].map(sizeLabel)).toEqual(['10k', '100k', '1M', '2500']);
  });
});

describe('the generated population', () => {
  test('is deterministic, and about a fifth of it are second-system records of earlier people', () => {
    expect(populationInput(1234, 1)).toEqual(populationInput(1234, 1));
    const n = 20_000;
    let duplicates = 0;
    for (let i = 0; i < n; i++) {
      const { person, duplicate } = personOf(i, 1);
      if (!duplicate) {
        expect(person).toBe(i);
        continue;
      }
      duplicates++;
      expect(person).toBeLessThan(i);
      expect(personOf(person, 1).duplicate).toBe(false);
    }
    expect(Math.abs(duplicates / n - DUPLICATE_SHARE)).toBeLessThan(0.02);
  });

  test('a duplicate keeps the person and the national ID, under its own system and identifier', () => {
    const i = Array.from({ length: 100 }, (_, k) => k + 10).find((k) => personOf(k, 1).duplicate) as number;
    const dup = populationInput(i, 1);
    const original = populationInput(personOf(i, 1).person, 1);
    expect(dup.sourceSystem).toBe('bench-second');
    expect(dup.patient.name).toEqual(original.patient.name);
    expect(dup.patient.birthDate).toBe(original.patient.birthDate);
    expect(dup.patient.identifier?.[0]?.value).toBe(`D${i}`);
    expect(dup.patient.identifier?.[1]).toEqual(original.patient.identifier?.[1]);
    expect(dup.patient.telecom).toBeUndefined();
  });
});
