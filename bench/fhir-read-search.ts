/**
 * FHIR `GET Patient/{id}` and PDQm search under 50 connections on a BENCH_N-record registry (default
 * 100k; memory registry), each with its ratio to a bare node:http server measured in the same run.
 * Goals: read ≥ 25 % of the bare ceiling with p99 ≤ 10 ms; search p99 ≤ 25 ms.
 *
 *   node -r @swc-node/register bench/fhir-read-search.ts
 *
 * bench/latency-floor.ts shows what any server of a given per-request CPU cost reaches on the same
 * machine and load generator; read the p99 figures against it.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { bareHttpCeiling, percentiles, report, rssMB } from './mpi-common';
import { closedLoop, fhirBenchServer } from './fhir-common';
import { syntheticPatient } from './lib/synthetic';

const CONNECTIONS = 50;

/**
 * Run `fn` while recording the server process's major garbage-collection pauses (stderr): a large
 * in-memory registry makes them long, and they land in the latency tail.
 */
async function withGcPauses<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const pauses: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) pauses.push(e.duration);
  });
  obs.observe({ entryTypes: ['gc'] });
  try {
    return await fn();
  } finally {
    obs.disconnect();
    console.error(`${label}: ${pauses.length} major GC pause(s), longest ${Math.round(Math.max(0, ...pauses))} ms`);
  }
}

async function main(): Promise<void> {
  const size = Number(process.env.BENCH_N ?? 100_000);
  const n = Number(process.env.BENCH_REQUESTS ?? 20_000);
  const loadStart = performance.now();
  const p = await fhirBenchServer(size);
  console.error(`registry of ${size} loaded in ${Math.round((performance.now() - loadStart) / 1000)} s`);
  // Measure from a settled heap: the load leaves garbage that a full collection would otherwise clear
  // in the middle of a run (a 30 ms pause on a 2 GB heap). `npm run bench` passes --expose-gc.
  (globalThis as { gc?: () => void }).gc?.();
  const bare = await bareHttpCeiling();
  await closedLoop(bare.url, () => '/', 2000, CONNECTIONS);
  const ceilingRun = await closedLoop(bare.url, () => '/', n, CONNECTIONS);
  await bare.close();
  const ceiling = Math.round(n / ceilingRun.seconds);
  // The same client against a bare server: the latency floor of this machine and load generator.
  const floor = percentiles(ceilingRun.samples);
  console.error(`bare node:http ceiling ${ceiling} req/s, p50 ${floor.p50} / p95 ${floor.p95} / p99 ${floor.p99} ms`);
  const ratio = (t: number): number => Math.round((t / ceiling) * 1000) / 1000;

  await closedLoop(p.url, (i) => `/fhir/Patient/${p.ids[i % p.ids.length] ?? ''}`, 2000, CONNECTIONS);
  const read = await withGcPauses('read', () => closedLoop(p.url, (i) => `/fhir/Patient/${p.ids[(i * 7919) % p.ids.length] ?? ''}`, n, CONNECTIONS));
  const readTp = Math.round(n / read.seconds);
  report({ workload: 'fhir-read', params: { size, requests: n, connections: CONNECTIONS, store: 'memory' }, throughput: readTp, ...percentiles(read.samples), rssMB: rssMB(), ceiling, ratioToCeiling: ratio(readTp) });

  // PDQm demographics query of a registered person: family + given + birthdate.
  const searchPath = (i: number): string => {
    const p = syntheticPatient((i * 7919) % size);
    const name = p.name?.[0];
    return `/fhir/Patient?family=${encodeURIComponent(name?.family ?? '')}&given=${encodeURIComponent(name?.given?.[0] ?? '')}&birthdate=${p.birthDate ?? ''}`;
  };
  const search = await withGcPauses('search', () => closedLoop(p.url, searchPath, n, CONNECTIONS));
  const searchTp = Math.round(n / search.seconds);
  report({ workload: 'fhir-search', params: { size, requests: n, connections: CONNECTIONS, store: 'memory', query: 'family + given + birthdate' }, throughput: searchTp, ...percentiles(search.samples), rssMB: rssMB(), ceiling, ratioToCeiling: ratio(searchTp) });
  await p.server.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
