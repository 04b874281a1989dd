/**
 * FHIR `GET Patient/{id}` and PDQm search under 50 connections on a BENCH_N-record registry (default
 * 100k; memory registry), each with its ratio to a bare node:http server measured in the same run.
 * Goals: read ≥ 25 % of the bare ceiling with p99 ≤ 10 ms; search p99 ≤ 25 ms.
 *
 *   node -r @swc-node/register bench/fhir-read-search.ts
 *
 * The registry is loaded once; then BENCH_ROUNDS rounds (default 3) each measure the ceiling, the
 * read and the search back to back. Every round goes to stderr (the machine's noise); the JSON
 * result of each workload is its median round by p99. bench/latency-floor.ts shows what any server
 * of a given per-request CPU cost reaches on the same machine and load generator.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { bareHttpCeiling, percentiles, report, rssMB } from './mpi-common';
import type { BenchResult } from './mpi-common';
import { closedLoop, fhirBenchServer } from './fhir-common';
import type { LoadRun } from './fhir-common';
import { syntheticPatient } from './lib/synthetic';

const CONNECTIONS = 50;

/** Run `fn` while counting the process's garbage-collection pauses by kind (they land in the latency tail). */
async function withGcPauses<T>(fn: () => Promise<T>): Promise<{ result: T; gc: string }> {
  const minor: number[] = [];
  const major: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) major.push(e.duration);
      else if (kind === constants.NODE_PERFORMANCE_GC_MINOR) minor.push(e.duration);
    }
  });
  obs.observe({ entryTypes: ['gc'] });
  try {
    const result = await fn();
    const longest = (xs: number[]): string => Math.max(0, ...xs).toFixed(1);
    return { result, gc: `${minor.length} scavenges (longest ${longest(minor)} ms), ${major.length} major (longest ${longest(major)} ms)` };
  } finally {
    obs.disconnect();
  }
}

interface Round {
  ceiling: number;
  read: BenchResult;
  search: BenchResult;
}

async function measure(url: string, path: (i: number) => string, n: number): Promise<LoadRun & { gc: string }> {
  const { result, gc } = await withGcPauses(() => closedLoop(url, path, n, CONNECTIONS));
  return { ...result, gc };
}

async function round(p: Awaited<ReturnType<typeof fhirBenchServer>>, size: number, n: number, label: string): Promise<Round> {
  const bare = await bareHttpCeiling();
  await closedLoop(bare.url, () => '/', 2000, CONNECTIONS);
  const ceilingRun = await closedLoop(bare.url, () => '/', n, CONNECTIONS);
  await bare.close();
  const ceiling = Math.round(n / ceilingRun.seconds);
  const floor = percentiles(ceilingRun.samples);
  console.error(`${label} bare node:http: ${ceiling} req/s, p50 ${floor.p50} / p99 ${floor.p99} ms, server CPU ${ceilingRun.serverCpuUsPerRequest} µs/request`);
  const result = (workload: string, run: LoadRun & { gc: string }, params: Record<string, unknown>): BenchResult => {
    const throughput = Math.round(n / run.seconds);
    const r: BenchResult = { workload, params: { size, requests: n, connections: CONNECTIONS, store: 'memory', ...params }, throughput, ...percentiles(run.samples), rssMB: rssMB(), ceiling, ratioToCeiling: Math.round((throughput / ceiling) * 1000) / 1000 };
    console.error(`${label} ${workload}: ${throughput} req/s (${r.ratioToCeiling} of ceiling), p50 ${r.p50} / p95 ${r.p95} / p99 ${r.p99} ms, server CPU ${run.serverCpuUsPerRequest} µs/request; ${run.gc}`);
    return r;
  };
  const read = await measure(p.url, (i) => `/fhir/Patient/${p.ids[(i * 7919) % p.ids.length] ?? ''}`, n);
  // PDQm demographics query of a registered person: family + given + birthdate.
  const searchPath = (i: number): string => {
    const person = syntheticPatient((i * 7919) % size);
    const name = person.name?.[0];
    return `/fhir/Patient?family=${encodeURIComponent(name?.family ?? '')}&given=${encodeURIComponent(name?.given?.[0] ?? '')}&birthdate=${person.birthDate ?? ''}`;
  };
  const search = await measure(p.url, searchPath, n);
  return { ceiling, read: result('fhir-read', read, {}), search: result('fhir-search', search, { query: 'family + given + birthdate' }) };
}

function medianByP99(results: BenchResult[]): BenchResult {
  const sorted = [...results].sort((a, b) => a.p99 - b.p99);
  return sorted[(sorted.length - 1) >> 1] as BenchResult;
}

async function main(): Promise<void> {
  const size = Number(process.env.BENCH_N ?? 100_000);
  const n = Number(process.env.BENCH_REQUESTS ?? 20_000);
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
  const loadStart = performance.now();
  const p = await fhirBenchServer(size);
  console.error(`registry of ${size} loaded in ${Math.round((performance.now() - loadStart) / 1000)} s`);
  // Measure from a settled heap: the load leaves garbage that a full collection would otherwise clear
  // in the middle of a run (a 30 ms pause on a 2 GB heap). `npm run bench` passes --expose-gc.
  (globalThis as { gc?: () => void }).gc?.();
  await closedLoop(p.url, (i) => `/fhir/Patient/${p.ids[i % p.ids.length] ?? ''}`, 2000, CONNECTIONS);
  const done: Round[] = [];
  for (let r = 1; r <= rounds; r++) done.push(await round(p, size, n, `round ${r}/${rounds}`));
  report(medianByP99(done.map((r) => r.read)));
  report(medianByP99(done.map((r) => r.search)));
  await p.server.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
