/**
 * The benchmark result of contracts.md §5 and the pure helpers every workload uses to fill it:
 * latency percentiles, ratios, a summary of repeated measurements, and the writer of
 * bench/results/<workload>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One benchmark result (contracts.md §5); `ceiling` is a baseline measured in the same run. */
export interface BenchResult {
  workload: string;
  params: Record<string, unknown>;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  rssMB: number;
  ceiling: number | null;
  ratioToCeiling: number | null;
  /** Database commands the driver sent per record or request (command monitoring); null without a database. */
  commandsPerRecord: number | null;
}

/** Key order of a result file (contracts.md §5). */
export const RESULT_KEYS: ReadonlyArray<keyof BenchResult> = [
  'workload', 'params', 'throughput', 'p50', 'p95', 'p99', 'rssMB', 'ceiling', 'ratioToCeiling', 'commandsPerRecord',
];

/**
 * `v` rounded to `digits` decimals.
 * @param v - a number
 * @param digits - decimals kept (default 3)
 */
export function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/**
 * Latency percentiles (ms) of samples, nearest rank; zeros for no samples.
 * @param samples - durations in ms
 */
export function percentiles(samples: number[]): { p50: number; p95: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => round(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0);
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/**
 * `value / ceiling` to three decimals; null when there is no (positive) ceiling.
 * @param value - the measured figure
 * @param ceiling - the baseline measured in the same run
 */
export function ratio(value: number, ceiling: number | null): number | null {
  return ceiling === null || !(ceiling > 0) ? null : round(value / ceiling);
}

/**
 * Minimum, median and maximum of repeated measurements (rounds, restarts), one decimal.
 * @param xs - the measurements (at least one)
 */
export function spread(xs: number[]): { min: number; median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { min: round(s[0] ?? 0, 1), median: round(s[Math.floor((s.length - 1) / 2)] ?? 0, 1), max: round(s[s.length - 1] ?? 0, 1) };
}

/**
 * The result with its keys in contract order (every key present).
 * @param result - a result
 */
export function inContractOrder(result: BenchResult): BenchResult {
  return Object.fromEntries(RESULT_KEYS.map((k) => [k, result[k]])) as unknown as BenchResult;
}

/**
 * Write a result under bench/results/ and print it as one JSON line.
 * @param result - the result
 * @param dir - where to write (default bench/results)
 */
export function report(result: BenchResult, dir = join(__dirname, '..', 'results')): void {
  const ordered = inContractOrder(result);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${result.workload}.json`), `${JSON.stringify(ordered, null, 2)}\n`);
  console.log(JSON.stringify(ordered));
}

/** Resident memory of this process in MB. */
export function rssMB(): number {
  return Math.round(process.memoryUsage().rss / 1048576);
}

/**
 * Time `n` sequential runs of `fn`.
 * @param n - iterations
 * @param fn - the operation (gets the iteration number)
 */
export async function timeRuns(n: number, fn: (i: number) => Promise<unknown>): Promise<{ samples: number[]; seconds: number }> {
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  return { samples, seconds: (performance.now() - started) / 1000 };
}
