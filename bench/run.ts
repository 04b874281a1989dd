/**
 * `npm run bench [-- NAME…]`: runs each workload as a separate process (so one workload's heap and
 * JIT state never colour another's) against the local stack (`npm run stack:up` first), then prints a
 * summary of the JSON results it wrote under bench/results/ (contracts.md §5) and the issue's goals.
 *
 * The scale workloads run once per registry size — BENCH_N (a size or a comma-separated list), else
 * 10k and 100k, plus 1M with BENCH_FULL=1 — in an order that loads each size once: bulk-ingest loads
 * and keeps the population database, the FHIR and mediator workloads reuse it, register-latency
 * registers into it last. The population databases are dropped at the end unless BENCH_KEEP_DB=1.
 * Other knobs: BENCH_REQUESTS, BENCH_ROUNDS, BENCH_SEED, BENCH_MPI_N (see each workload's comment).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkGoals, goalLines } from './lib/goals';
import { countingClient } from './lib/mongo';
import type { BenchResult } from './lib/result';
import { benchSizes } from './lib/sizes';

/** Workloads run once per registry size, in this order for each size. */
const PER_SIZE: Record<string, string> = {
  'bulk-ingest': 'bulk-ingest.ts',
  'fhir-read-search': 'fhir-read-search.ts',
  'mediator-scale': 'mediator-scale.ts',
  'register-latency': 'register-latency.ts',
};

/** Workloads run once. */
const ONCE: Record<string, string> = {
  'registry-cpu': 'registry-cpu.ts',
  'mpi-resolve': 'mpi-resolve.ts',
  'mpi-register': 'mpi-register.ts',
  'auth-verify': 'auth-verify.ts',
  // DHIS2 channel end to end on the local stack (npm run stack:up), against the bulk registration rate.
  'dhis2-sync': 'dhis2-sync.ts',
  // The DHIS2 mapping alone, interpreter against compiled engine (no database).
  'mapping-cost': 'mapping-cost.ts',
  'steward-page': 'steward-page.ts',
  'events-delivery': 'events-delivery.ts',
};

function runWorkload(label: string, file: string, env: NodeJS.ProcessEnv): boolean {
  process.stdout.write(`\n== ${label} ==\n`);
  const started = performance.now();
  // The semi-space size is the production runtime's (Dockerfile, npm start); old-space headroom keeps
  // V8 from marking over and over near its default limit while a large registry is loaded.
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', '--max-semi-space-size=64', '--expose-gc', '-r', '@swc-node/register', join(__dirname, file)], { stdio: 'inherit', env });
  process.stdout.write(`-- ${label}: ${r.status === 0 ? 'done' : `FAILED (exit ${String(r.status)})`} in ${Math.round((performance.now() - started) / 1000)} s\n`);
  return r.status === 0;
}

function resultsSince(startedMs: number): BenchResult[] {
  const dir = join(__dirname, 'results');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && statSync(join(dir, f)).mtimeMs >= startedMs)
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as BenchResult);
}

function summary(results: BenchResult[]): string {
  const head = ['workload', 'throughput/s', 'p50 ms', 'p95 ms', 'p99 ms', 'rss MB', 'ceiling/s', 'ratio', 'cmds/rec'];
  const rows = results.map((r) => [r.workload, r.throughput, r.p50, r.p95, r.p99, r.rssMB, r.ceiling ?? '-', r.ratioToCeiling ?? '-', r.commandsPerRecord ?? '-'].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  return [head, ...rows].map((row) => row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}

/** Drop the kept population databases (bench/lib/population.ts). */
async function dropPopulations(): Promise<void> {
  const counter = await countingClient();
  const { databases } = await counter.client.db('admin').admin().listDatabases({ nameOnly: true });
  for (const { name } of databases) if (name.startsWith('passerelle_bench_pop_')) await counter.client.db(name).dropDatabase();
  await counter.client.close();
}

async function main(argv: string[]): Promise<void> {
  const known = [...Object.keys(PER_SIZE), ...Object.keys(ONCE)];
  const selected = argv.length > 0 ? argv : known;
  const unknown = selected.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    process.stderr.write(`unknown workload(s): ${unknown.join(', ')}; known: ${known.join(', ')}\n`);
    process.exit(2);
  }
  const started = Date.now() - 1000;
  const failed: string[] = [];
  for (const size of benchSizes()) {
    for (const [name, file] of Object.entries(PER_SIZE)) {
      if (selected.includes(name) && !runWorkload(`${name} at ${size}`, file, { ...process.env, BENCH_N: String(size) })) failed.push(`${name}@${size}`);
    }
  }
  for (const [name, file] of Object.entries(ONCE)) {
    if (selected.includes(name) && !runWorkload(name, file, process.env)) failed.push(name);
  }
  if (process.env.BENCH_KEEP_DB !== '1') await dropPopulations();
  const results = resultsSince(started);
  process.stdout.write(`\n${summary(results)}\n\n${goalLines(checkGoals(results)).join('\n')}\n`);
  if (failed.length > 0) {
    process.stderr.write(`failed: ${failed.join(', ')}\n`);
    process.exit(1);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
