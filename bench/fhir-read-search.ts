/**
 * FHIR `GET Patient/{id}` and PDQm search (family + given + birthdate) under 50 connections, served by
 * the whole mediator (`createApp`, registry and every other store on the local stack's MongoDB) over a
 * registry of N generated records loaded through the bulk path (BENCH_N).
 *
 * Ceiling, in the same run and the same rounds: the raw driver's indexed `find` at the same
 * concurrency (50 concurrent finds in flight) — by `_id` for the read (the same source documents), and
 * with the filter, sort and page size the store's search sends for the same query (one find, no count).
 * Goals at 1M: read ≥ 50 % and search ≥ 30 % of the raw throughput; p99 ≤ 2 × the raw p99.
 *
 *   BENCH_N=100000 node -r @swc-node/register bench/fhir-read-search.ts
 *
 * BENCH_ROUNDS rounds (default 3) each measure raw read, read, raw search and search back to back;
 * every round goes to stderr (the machine's noise), the JSON result is the median round by p99.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import type { Collection, Document } from 'mongodb';
import { parsePatientSearch } from '../src/fhir/search/patient-params';
import { collectionNames } from '../src/registry/mongo/indexes';
import { toMongoFilter, toMongoSort } from '../src/registry/mongo/search-query';
import type { PatientQuery } from '../src/registry/api';
import { closedLoop, mediatorOver } from './fhir-common';
import type { LoadRun } from './fhir-common';
import { countingClient } from './lib/mongo';
import type { CountingClient } from './lib/mongo';
import { ensurePopulation, personOf } from './lib/population';
import { percentiles, ratio, report, round as round3, rssMB, spread } from './lib/result';
import type { BenchResult } from './lib/result';
import { benchSeed, benchSize, sizeLabel } from './lib/sizes';
import { syntheticPatient } from './lib/synthetic';

const CONNECTIONS = 50;
const PAGE = 20;

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

/** `total` operations with `connections` of them in flight at all times (the raw driver's closed loop). */
async function rawClosedLoop(total: number, connections: number, op: (i: number) => Promise<unknown>): Promise<{ samples: number[]; seconds: number }> {
  const samples: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < total; i = next++) {
      const t = performance.now();
      await op(i);
      samples.push(performance.now() - t);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  return { samples, seconds: (performance.now() - started) / 1000 };
}

/** What the rounds read and search: source documents (key and logical id) and registered people. */
interface Targets {
  sources: Array<{ key: string; id: string }>;
  people: Array<{ family: string; given: string; birthDate: string }>;
}

async function targetsOf(records: Collection<Document>, size: number, seed: number): Promise<Targets> {
  const docs = await records.find({ k: 's' }, { projection: { id: 1 } }).limit(20_000).toArray();
  const people = Array.from({ length: 5000 }, (_, j) => {
    const p = syntheticPatient(personOf(Math.floor((j * size) / 5000), seed).person, seed);
    return { family: p.name?.[0]?.family ?? '', given: p.name?.[0]?.given?.[0] ?? '', birthDate: p.birthDate ?? '' };
  });
  // Spread the reads over the sample rather than walking it in key order.
  const sources = docs.map((d) => ({ key: String(d._id), id: String(d.id) }));
  return { sources: sources.map((_, i) => sources[(i * 7919) % sources.length] as { key: string; id: string }), people };
}

function searchParams(p: Targets['people'][number]): Record<string, string[]> {
  return { family: [p.family], given: [p.given], birthdate: [p.birthDate] };
}

/** The query the FHIR search hands the store for these parameters (first page, default sort). */
function storeQuery(params: Record<string, string[]>): PatientQuery {
  const parsed = parsePatientSearch(params);
  return { ...parsed.query, lastUpdatedLe: new Date().toISOString(), sort: [{ field: '_lastUpdated', desc: false }], offset: 0, count: PAGE };
}

interface Run { throughput: number; samples: number[]; p99: number; extra: Record<string, unknown> }

function fromLoad(run: LoadRun & { gc: string }, n: number, commands: number): Run {
  return { throughput: Math.round(n / run.seconds), samples: run.samples, p99: percentiles(run.samples).p99, extra: { serverCpuUsPerRequest: run.serverCpuUsPerRequest, gc: run.gc, commandsPerRequest: round3(commands / n, 3), ...(run.errors > 0 ? { errors: run.errors, firstError: run.firstError } : {}) } };
}

async function measureApp(counter: CountingClient, url: string, path: (i: number) => string, n: number): Promise<Run> {
  const before = counter.commands();
  const { result, gc } = await withGcPauses(() => closedLoop(url, path, n, CONNECTIONS));
  return fromLoad({ ...result, gc }, n, counter.commands() - before);
}

async function measureRaw(n: number, op: (i: number) => Promise<unknown>): Promise<Run> {
  const r = await rawClosedLoop(n, CONNECTIONS, op);
  return { throughput: Math.round(n / r.seconds), samples: r.samples, p99: percentiles(r.samples).p99, extra: {} };
}

interface Round { read: Run; rawRead: Run; search: Run; rawSearch: Run }

async function oneRound(counter: CountingClient, raw: Collection<Document>, url: string, t: Targets, n: number, label: string): Promise<Round> {
  const source = (i: number): { key: string; id: string } => t.sources[i % t.sources.length] as { key: string; id: string };
  const person = (i: number): Targets['people'][number] => t.people[(i * 7919) % t.people.length] as Targets['people'][number];
  const rawRead = await measureRaw(n, (i) => raw.find({ _id: source(i).key as never }).limit(1).toArray());
  const read = await measureApp(counter, url, (i) => `/fhir/Patient/${encodeURIComponent(source(i).id)}`, n);
  const rawSearch = await measureRaw(n, (i) => {
    const q = storeQuery(searchParams(person(i)));
    const kinds = q.kind === 'source' ? ['s'] : q.kind === 'golden' ? ['g'] : ['g', 's'];
    return raw.find({ $and: [...(toMongoFilter(q).$and ?? []), { k: { $in: kinds } }] }).sort(toMongoSort(q)).limit(PAGE).toArray();
  });
  const search = await measureApp(counter, url, (i) => `/fhir/Patient?${new URLSearchParams(Object.entries(searchParams(person(i))).map(([k, v]): [string, string] => [k, v[0] as string])).toString()}`, n);
  for (const [name, r, c] of [['read', read, rawRead], ['search', search, rawSearch]] as const) {
    console.error(`${label} ${name}: ${r.throughput} req/s, p99 ${r.p99} ms; raw find ${c.throughput}/s, p99 ${c.p99} ms; ${JSON.stringify(r.extra)}`);
  }
  return { read, rawRead, search, rawSearch };
}

function resultOf(workload: string, rounds: Array<{ app: Run; raw: Run }>, params: Record<string, unknown>): BenchResult {
  const median = [...rounds].sort((a, b) => a.app.p99 - b.app.p99)[(rounds.length - 1) >> 1] as { app: Run; raw: Run };
  const pct = percentiles(median.app.samples);
  const rawPct = percentiles(median.raw.samples);
  return {
    workload,
    params: {
      ...params, ...median.app.extra, connections: CONNECTIONS, raw: { throughput: median.raw.throughput, ...rawPct }, p99ToRawP99: ratio(pct.p99, rawPct.p99),
      rounds: rounds.length, throughputOverRounds: spread(rounds.map((r) => r.app.throughput)), rawThroughputOverRounds: spread(rounds.map((r) => r.raw.throughput)),
    },
    throughput: median.app.throughput, ...pct, rssMB: rssMB(), ceiling: median.raw.throughput, ratioToCeiling: ratio(median.app.throughput, median.raw.throughput),
    commandsPerRecord: median.app.extra.commandsPerRequest as number,
  };
}

async function main(): Promise<void> {
  const size = benchSize();
  const seed = benchSeed();
  const n = Number(process.env.BENCH_REQUESTS ?? 5000);
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
  const counter = await countingClient();
  const { db, loadedNow } = await ensurePopulation(counter, size, seed);
  const records = db.collection(collectionNames().records);
  const targets = await targetsOf(records, size, seed);
  const rawClient = await countingClient({ maxPoolSize: CONNECTIONS });
  const raw = rawClient.client.db(db.databaseName).collection(collectionNames().records);
  const { app, url } = await mediatorOver(db);
  try {
    // Measure from a settled heap; `npm run bench` passes --expose-gc.
    (globalThis as { gc?: () => void }).gc?.();
    await closedLoop(url, (i) => `/fhir/Patient/${encodeURIComponent(targets.sources[i % targets.sources.length]?.id ?? '')}`, 1000, CONNECTIONS);
    const done: Round[] = [];
    for (let r = 1; r <= rounds; r++) done.push(await oneRound(counter, raw, url, targets, n, `round ${r}/${rounds}`));
    const common = { registrySize: size, seed, requests: n, store: 'mongodb (local stand-in)', populationLoadedHere: loadedNow };
    report(resultOf(`fhir-read-${sizeLabel(size)}`, done.map((r) => ({ app: r.read, raw: r.rawRead })), { ...common, ceilingIs: 'raw driver find by _id, 50 in flight' }));
    report(resultOf(`fhir-search-${sizeLabel(size)}`, done.map((r) => ({ app: r.search, raw: r.rawSearch })), { ...common, query: 'family + given + birthdate (PDQm, golden records, first page of 20)', ceilingIs: 'raw driver find with the store\'s filter, sort and limit (no count), 50 in flight' }));
  } finally {
    await app.stop();
    await rawClient.client.close();
    await counter.client.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
