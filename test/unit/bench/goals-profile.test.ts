/**
 * The goal checks `npm run bench` prints, and the CPU profile summary of the registry-cpu workload.
 */
import { checkGoals, goalLines } from '../../../bench/lib/goals';
import { profileText, summariseProfile } from '../../../bench/lib/cpu-profile';
import type { CpuProfile } from '../../../bench/lib/cpu-profile';
import type { BenchResult } from '../../../bench/lib/result';

function result(workload: string, over: Partial<BenchResult>): BenchResult {
  return { workload, params: {}, throughput: 1, p50: 1, p95: 1, p99: 1, rssMB: 1, ceiling: null, ratioToCeiling: null, commandsPerRecord: null, ...over };
}

describe('goal checks', () => {
  test('each goal of issue 12 items 6 and 7, from the results present', () => {
    const checks = checkGoals([
      result('bulk-ingest-10k', { params: { records: 10_000, lastToFirst: 0.9 }, ratioToCeiling: 0.4, commandsPerRecord: 0.03 }),
      result('register-latency-10k', { params: { registrySize: 10_000, commandsMedian: 5 }, p50: 10, p99: 20 }),
      result('register-latency-1M', { params: { registrySize: 1_000_000, commandsMedian: 6 }, p50: 16, p99: 60 }),
      result('fhir-read-1M', { params: { registrySize: 1_000_000, p99ToRawP99: 1.5 }, ratioToCeiling: 0.6 }),
      result('mediator-scale-1M', { params: { registrySize: 1_000_000 }, rssMB: 900, p50: 61_000 }),
      result('registry-cpu', { params: { cpuUsPerRegistration: 180 } }),
      result('mapping-cost-dhis2', { params: { perRecordUs: { generated: { compiled: { wallUs: { min: 12, median: 17, max: 30 } } } } } }),
    ]);
    const byGoal = Object.fromEntries(checks.map((c) => [c.goal, c.met]));
    expect(byGoal).toEqual({
      'bulk-ingest-10k: ratio to raw insertMany': false,
      'bulk-ingest-10k: last 10 % rate / first 10 % rate': true,
      'bulk-ingest-10k: commands per record': true,
      'register-latency-10k: p99 / p50': true,
      'register-latency-10k: median commands per registration': true,
      'register-latency-1M: p99 / p50': false,
      'register-latency-1M: median commands per registration': true,
      'register p50 at 1M / p50 at 10k': false,
      'fhir-read-1M: ratio to raw find': true,
      'fhir-read-1M: p99 / raw p99': true,
      'mediator-scale-1M: peak RSS MB': true,
      'mediator-scale-1M: restart to ready, s (p50)': false,
      'registry-cpu: µs CPU per registration': true,
      'mapping-cost-dhis2: µs per record (compiled, median wall)': true,
    });
    expect(goalLines(checks)[0]).toBe('NOT MET  bulk-ingest-10k: ratio to raw insertMany: 0.4 (goal ≥ 0.5)');
  });
});

describe('CPU profile summary', () => {
  // root → main (bench) → work (src/a.ts) → leaf (src/b.ts); a sample in the profiler's own stop is dropped.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 5, 6] },
      { id: 2, callFrame: { functionName: 'main', url: 'file:///repo/bench/x.ts', lineNumber: 0 }, children: [3] },
      { id: 3, callFrame: { functionName: 'work', url: 'file:///repo/src/a.ts', lineNumber: 9 }, children: [4] },
      { id: 4, callFrame: { functionName: 'leaf', url: 'file:///repo/src/b.ts', lineNumber: 19 } },
      { id: 5, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
      { id: 6, callFrame: { functionName: 'post', url: 'node:inspector', lineNumber: 114 } },
    ],
    samples: [3, 4, 4, 5, 6],
    timeDeltas: [100, 200, 300, 50, 1000],
  };

  test('self and inclusive time per function, self time per file and area', () => {
    const s = summariseProfile(profile, '/repo', { dropStacksWith: /node:inspector/, omitFrames: / bench\//, areas: [['src', /^src\//]] });
    expect(s.sampledUs).toBe(650);
    expect(s.bySelf).toEqual([
      { fn: 'leaf src/b.ts:20', selfUs: 500, totalUs: 500 },
      { fn: 'work src/a.ts:10', selfUs: 100, totalUs: 600 },
      { fn: '(garbage collector)', selfUs: 50, totalUs: 50 },
    ]);
    expect(s.byTotal.map((f) => f.fn)).toEqual(['work src/a.ts:10', 'leaf src/b.ts:20', '(garbage collector)']);
    expect(s.byFile).toEqual([{ file: 'src/b.ts', selfUs: 500 }, { file: 'src/a.ts', selfUs: 100 }, { file: '(garbage collector)', selfUs: 50 }]);
    expect(s.byArea).toEqual([{ area: 'src', selfUs: 600 }, { area: 'other', selfUs: 50 }]);
    expect(profileText(s, 2, 'registration')).toContain(' 76.9 %   250.0 µs/registration  leaf src/b.ts:20');
  });
});
