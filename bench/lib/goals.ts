/**
 * The goals of issue 12 (items 6 and 7) read off a run's results: one line per goal with the figure,
 * the bound and whether it holds. Only goals whose results are present are listed.
 */
import type { BenchResult } from './result';
import { round } from './result';

/** One goal checked against a run. */
export interface GoalCheck {
  goal: string;
  figure: number;
  bound: string;
  met: boolean;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function bySize(results: BenchResult[], prefix: string): Array<{ size: number; r: BenchResult }> {
  return results
    .filter((r) => r.workload.startsWith(`${prefix}-`))
    .map((r) => ({ size: num(r.params.registrySize) ?? num(r.params.records) ?? 0, r }))
    .sort((a, b) => a.size - b.size);
}

function check(out: GoalCheck[], goal: string, figure: number | null, bound: number, atMost: boolean): void {
  if (figure === null) return;
  out.push({ goal, figure: round(figure), bound: `${atMost ? '≤' : '≥'} ${bound}`, met: atMost ? figure <= bound : figure >= bound });
}

/**
 * Check every goal whose results are in `results`.
 * @param results - the results of a run
 */
export function checkGoals(results: BenchResult[]): GoalCheck[] {
  const out: GoalCheck[] = [];
  for (const { r } of bySize(results, 'bulk-ingest')) {
    check(out, `${r.workload}: ratio to raw insertMany`, r.ratioToCeiling, 0.5, false);
    check(out, `${r.workload}: last 10 % rate / first 10 % rate`, num(r.params.lastToFirst), 0.8, false);
    check(out, `${r.workload}: commands per record`, r.commandsPerRecord, 0.05, true);
  }
  const latency = bySize(results, 'register-latency');
  for (const { r } of latency) {
    check(out, `${r.workload}: p99 / p50`, r.p50 > 0 ? r.p99 / r.p50 : null, 3, true);
    check(out, `${r.workload}: median commands per registration`, num(r.params.commandsMedian), 6, true);
  }
  const smallest = latency[0];
  const largest = latency[latency.length - 1];
  if (smallest && largest && largest.size > smallest.size && smallest.r.p50 > 0) {
    check(out, `register p50 at ${largest.r.workload.slice('register-latency-'.length)} / p50 at ${smallest.r.workload.slice('register-latency-'.length)}`, largest.r.p50 / smallest.r.p50, 1.5, true);
  }
  for (const [prefix, bound] of [['fhir-read', 0.5], ['fhir-search', 0.3]] as const) {
    for (const { r } of bySize(results, prefix)) {
      check(out, `${r.workload}: ratio to raw find`, r.ratioToCeiling, bound, false);
      check(out, `${r.workload}: p99 / raw p99`, num(r.params.p99ToRawP99), 2, true);
    }
  }
  for (const { r } of bySize(results, 'mediator-scale')) {
    check(out, `${r.workload}: peak RSS MB`, r.rssMB, 1024, true);
    check(out, `${r.workload}: restart to ready, s (p50)`, r.p50 / 1000, 60, true);
  }
  const cpu = results.find((r) => r.workload === 'registry-cpu');
  if (cpu) check(out, 'registry-cpu: µs CPU per registration', num(cpu.params.cpuUsPerRegistration), 200, true);
  // Issue 14: mapping time per DHIS2 record, median wall time of the engine the mapping runs on.
  const mapping = results.find((r) => r.workload === 'mapping-cost-dhis2');
  const generated = (mapping?.params.perRecordUs as { generated?: { compiled?: { wallUs?: { median?: unknown } } } } | undefined)?.generated;
  if (mapping) check(out, 'mapping-cost-dhis2: µs per record (compiled, median wall)', num(generated?.compiled?.wallUs?.median), 50, true);
  return out;
}

/**
 * The checks as text lines.
 * @param checks - goal checks
 */
export function goalLines(checks: GoalCheck[]): string[] {
  return checks.map((c) => `${c.met ? 'met    ' : 'NOT MET'}  ${c.goal}: ${c.figure} (goal ${c.bound})`);
}
