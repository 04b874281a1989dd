/**
 * `npm run bench [-- NAME…]`: runs each workload as a separate process (so one workload's heap and
 * JIT state never colour another's), then prints a summary of the JSON results it wrote under
 * bench/results/ (contracts.md §5). Sizes come from BENCH_N / BENCH_REQUESTS; BENCH_FULL=1 runs
 * the large sizes.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResult } from './mpi-common';

/** Workload scripts, in the order they run. */
const WORKLOADS: Record<string, string> = {
  'fhir-read-search': 'fhir-read-search.ts',
  'mpi-register': 'mpi-register.ts',
  'mpi-resolve': 'mpi-resolve.ts',
  'auth-verify': 'auth-verify.ts',
  // DHIS2 channel end to end on the local stack (npm run stack:up), against the bulk registration rate.
  'dhis2-sync': 'dhis2-sync.ts',
  'steward-page': 'steward-page.ts',
  'events-delivery': 'events-delivery.ts',
};

type Result = BenchResult;

function runWorkload(name: string, file: string): boolean {
  process.stdout.write(`\n== ${name} ==\n`);
  // The FHIR workloads hold a 100k-record registry in the memory twin (≈ 2 GB of heap; more headroom
  // keeps V8 from marking the old generation over and over near its default 4 GB limit). The
  // semi-space size is the production runtime's (Dockerfile, npm start).
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', '--max-semi-space-size=64', '--expose-gc', '-r', '@swc-node/register', join(__dirname, file)], { stdio: 'inherit', env: process.env });
  if (r.status !== 0) process.stderr.write(`${name} failed (exit ${String(r.status)})\n`);
  return r.status === 0;
}

function resultsSince(startedMs: number): Result[] {
  const dir = join(__dirname, 'results');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && statSync(join(dir, f)).mtimeMs >= startedMs)
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Result);
}

function summary(results: Result[]): string {
  const head = ['workload', 'throughput/s', 'p50 ms', 'p95 ms', 'p99 ms', 'rss MB', 'ceiling/s', 'ratio'];
  const rows = results.map((r) => [r.workload, r.throughput, r.p50, r.p95, r.p99, r.rssMB, r.ceiling ?? '-', r.ratioToCeiling ?? '-'].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  return [head, ...rows].map((row) => row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}

function main(argv: string[]): void {
  const selected = argv.length > 0 ? argv : Object.keys(WORKLOADS);
  const unknown = selected.filter((n) => !(n in WORKLOADS));
  if (unknown.length > 0) {
    process.stderr.write(`unknown workload(s): ${unknown.join(', ')}; known: ${Object.keys(WORKLOADS).join(', ')}\n`);
    process.exit(2);
  }
  const started = Date.now() - 1000;
  const failed = selected.filter((n) => !runWorkload(n, WORKLOADS[n] as string));
  process.stdout.write(`\n${summary(resultsSince(started))}\n`);
  if (failed.length > 0) process.exit(1);
}

main(process.argv.slice(2));
