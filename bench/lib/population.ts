/**
 * The benchmarks' generated population: a deterministic stream of registrations in which most records
 * are new people (`syntheticPatient(i)` from the bench system) and a share are a second system's record
 * of someone registered earlier (same person, same national ID, its own identifier, no phone), so the
 * registry links as it would on a real national load. Also the registry the benchmarks run on: built
 * on a counting MongoDB client, loaded through the bulk path in pages of 500 with the mediator's relay
 * retiring each page's events (as a running deployment's relay does), and kept as a named database so
 * the workloads that need "a registry of N records" share one load.
 */
import type { Patient } from 'fhir/r4';
import type { Db } from 'mongodb';
import { pino } from 'pino';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/core/logger';
import type { BulkItemResult, RegisterSourceInput } from '../../src/registry/api';
import { mulberry32 } from '../../src/registry/matching';
import { buildRegistryModule } from '../../src/registry-module';
import type { RegistryModule } from '../../src/registry-module';
import type { OutboxRelay } from '../../src/events/relay';
import { benchRelay } from './relay';
import { BENCH_SOURCE_SYSTEM, syntheticPatient } from './synthetic';
import { stackStoreSettings } from './mongo';
import type { CountingClient } from './mongo';

/** Share of records that are a second system's record of an earlier person. */
export const DUPLICATE_SHARE = 0.2;
export const SECOND_SYSTEM = 'urn:passerelle:bench:second-system';
/** Records per bulk page (the bulk path's design size). */
export const PAGE_SIZE = 500;
/** Bumped whenever the stream or the stored documents change, so a kept database of an older one is reloaded. */
const POPULATION_VERSION = 2;
const ACTOR = { clientId: 'bench' };

/**
 * Which person record `i` describes, and whether it is a second system's duplicate.
 * @param i - record number in the stream
 * @param seed - generator seed
 */
export function personOf(i: number, seed: number): { person: number; duplicate: boolean } {
  const rand = mulberry32((seed * 2_654_435_761 + i * 40_503) >>> 0);
  if (i < 10 || rand() >= DUPLICATE_SHARE) return { person: i, duplicate: false };
  const earlier = Math.floor(rand() * i);
  return { person: personOf(earlier, seed).person, duplicate: true };
}

/**
 * The i-th registration of the stream.
 * @param i - record number
 * @param seed - generator seed
 */
export function populationInput(i: number, seed: number): RegisterSourceInput {
  const { person, duplicate } = personOf(i, seed);
  const p = syntheticPatient(person, seed);
  if (!duplicate) return { patient: p, sourceSystem: 'bench', actor: ACTOR };
  const patient: Patient = { ...p, identifier: [{ system: SECOND_SYSTEM, value: `D${i}` }, ...(p.identifier ?? []).filter((id) => id.system !== BENCH_SOURCE_SYSTEM)] };
  delete patient.telecom;
  return { patient, sourceSystem: 'bench-second', actor: ACTOR };
}

/**
 * Registrations `from` (inclusive) to `to` (exclusive).
 * @param from - first record number
 * @param to - end
 * @param seed - generator seed
 */
export function populationPage(from: number, to: number, seed: number): RegisterSourceInput[] {
  return Array.from({ length: to - from }, (_, k) => populationInput(from + k, seed));
}

/** The registry of a benchmark over one database. */
export function benchRegistry(db: Db | null, memoryFreeze?: 'deep' | 'top'): RegistryModule {
  // The stack's lookup split (.stack/env) applies, as it would to a mediator started on the stack.
  const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'error', MONGODB_LOOKUP_KEYS_PER_QUERY: stackStoreSettings().MONGODB_LOOKUP_KEYS_PER_QUERY });
  return buildRegistryModule({ config, logger: createLogger('error', pino.destination(2)), db, ...(memoryFreeze ? { memoryFreeze } : {}) });
}

/** What a page's registrations came to. */
export function countOutcomes(results: BulkItemResult[], into: Record<string, number>): void {
  for (const r of results) {
    if (!r.ok) throw new Error(`a generated record was refused: ${r.error.message}`);
    into[r.result.outcome] = (into[r.result.outcome] ?? 0) + 1;
  }
}

/** One page of a load: its size, how long registerMany and then the relay took, and their commands. */
export interface PageTiming { records: number; ms: number; relayMs: number; commands: number; relayCommands: number }

/**
 * Load records `from`..`to` through `registerMany` in pages of 500, the relay draining after each page
 * (its time and commands kept apart).
 * @param m - the registry
 * @param counter - the client the registry's database belongs to
 * @param range - record numbers, seed and page size (default 500)
 * @param onPage - called after each page
 */
export async function loadPages(
  m: RegistryModule, counter: CountingClient, range: { from: number; to: number; seed: number; pageSize?: number }, onPage: (t: PageTiming, results: BulkItemResult[]) => void = () => undefined,
): Promise<void> {
  const relay: OutboxRelay = benchRelay(m.outbox);
  const size = range.pageSize ?? PAGE_SIZE;
  for (let at = range.from; at < range.to; at += size) {
    const page = populationPage(at, Math.min(range.to, at + size), range.seed);
    const c0 = counter.commands();
    const t = performance.now();
    const results = await m.service.registerMany(page);
    const ms = performance.now() - t;
    const c1 = counter.commands();
    const r = performance.now();
    await relay.flush();
    onPage({ records: page.length, ms, relayMs: performance.now() - r, commands: c1 - c0, relayCommands: counter.commands() - c1 }, results);
  }
}

/** Name of the kept database holding the first `n` records of the stream. */
export function populationDbName(n: number, seed: number): string {
  return `passerelle_bench_pop_${n}_s${seed}`;
}

const META = 'bench_meta';

/**
 * Mark a database as holding the complete first `n` records of the stream (other workloads reuse it).
 * @param db - the database
 * @param n - records loaded
 * @param seed - generator seed
 */
export async function markPopulation(db: Db, n: number, seed: number): Promise<void> {
  await db.collection<{ _id: string }>(META).replaceOne({ _id: 'population' }, { n, seed, version: POPULATION_VERSION, complete: true, at: new Date().toISOString() }, { upsert: true });
}

/**
 * A database holding the first `n` records of the stream, loaded through the bulk path: the kept one
 * when a previous workload completed it, else loaded now (progress on stderr).
 * @param counter - the counting client
 * @param n - records
 * @param seed - generator seed
 */
export async function ensurePopulation(counter: CountingClient, n: number, seed: number): Promise<{ db: Db; loadedNow: boolean }> {
  const db = counter.client.db(populationDbName(n, seed));
  const meta = await db.collection<{ _id: string; n?: number; version?: number; complete?: boolean }>(META).findOne({ _id: 'population' });
  if (meta?.complete && meta.n === n && meta.version === POPULATION_VERSION) return { db, loadedNow: false };
  await db.dropDatabase();
  const m = benchRegistry(db);
  await m.init();
  const started = performance.now();
  let done = 0;
  await loadPages(m, counter, { from: 0, to: n, seed }, (t, results) => {
    countOutcomes(results, {});
    done += t.records;
    if (done % 50_000 === 0 || done === n) process.stderr.write(`[bench] loaded ${done}/${n} records (${Math.round((performance.now() - started) / 1000)} s)\n`);
  });
  await m.close();
  await markPopulation(db, n, seed);
  return { db, loadedNow: true };
}
