/**
 * Linkage evaluation through the real registry (contracts.md §4): builds the registry service with
 * `buildRegistryModule` (memory or a throw-away MongoDB database), maps each row to a FHIR Patient
 * with the `linkage-row` JSONata mapping, trains a model unsupervised on the dataset's own records,
 * activates it, then registers every row one at a time and reads back each source's golden record.
 * Rows are passed without their truth: only `recordId`, `source` and `fields` reach this module.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Patient } from 'fhir/r4';
import jsonata from 'jsonata';
import { pino } from 'pino';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/core/logger';
import type { Actor } from '../../src/core/types';
import type { RegisterSourceInput, RegistrationResult } from '../../src/registry/api';
import { createMatchingEngine, shuffled, trainModel } from '../../src/registry/matching';
import type { MatchFeatures, MatchingEngine } from '../../src/registry/matching';
import { buildRegistryModule } from '../../src/registry-module';
import type { RegistryModule } from '../../src/registry-module';
import type { LinkageRow } from './datasets';
import { createMongoClient } from '../../src/storage/mongo-client';
import { mongoUri } from '../lib/mongo';

/** A row as the registry sees it: no truth. */
export type UnlabelledRow = Omit<LinkageRow, 'entityId'>;

/** How to run the ingest. */
export interface IngestOptions {
  store: 'memory' | 'mongo';
  order: 'file' | 'shuffled';
  seed: number;
  /** DEFAULT_PHONE_COUNTRY of the registry (national phone numbers). */
  phoneCountry?: string;
  /** Register pages of this many rows through the bulk path instead of one at a time. */
  batch?: number;
}

/** What the ingest produced (per row, in file order). */
export interface IngestOutcome {
  /** Golden record (MPI ID) of each row at the end of the ingest. */
  clusters: string[];
  /** Features of each row, as the registry extracts them. */
  features: MatchFeatures[];
  reviewTasks: number;
  /** Registrations by decision: auto-link, review, new golden record. */
  decisions: { autoLink: number; review: number; new: number };
  /** Pairwise comparisons the registry made while registering (all registrations). */
  comparisons: number;
  seconds: { map: number; train: number; ingest: number };
}

const MAPPING = join(__dirname, '../../src/transforms/mappings/linkage-row.jsonata');
const ACTOR: Actor = { clientId: 'eval-linkage' };

const since = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e9;

/**
 * Map rows to FHIR Patients with the evaluation JSONata mapping (compiled once).
 * @param rows - unlabelled rows
 * @returns one Patient per row, same order
 */
export async function mapRows(rows: UnlabelledRow[]): Promise<Patient[]> {
  const expr = jsonata(readFileSync(MAPPING, 'utf8'));
  const out: Patient[] = [];
  for (const r of rows) out.push((await expr.evaluate({ recordId: r.recordId, source: r.source, fields: r.fields })) as Patient);
  return out;
}

interface Registry { module: RegistryModule; engine: MatchingEngine; counter: { compares: number }; dispose(): Promise<void> }

async function openRegistry(opts: IngestOptions): Promise<Registry> {
  // The decision rules come from the same MATCH_* settings as the mediator's (README, configuration).
  const rules = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MATCH_')));
  const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'error', ...rules, ...(opts.phoneCountry ? { DEFAULT_PHONE_COUNTRY: opts.phoneCountry } : {}) });
  const logger = createLogger('error', pino.destination(2));
  const counter = { compares: 0 };
  const instrumentEngine = (e: MatchingEngine): MatchingEngine => ({
    ...e,
    // Every candidate pair is weighed once; only the best per golden record is then explained.
    weight: (a, b, model) => {
      counter.compares++;
      return e.weight(a, b, model);
    },
  });
  const client = opts.store === 'mongo' ? await createMongoClient(mongoUri()).connect() : null;
  const db = client ? client.db(`passerelle_eval_${randomBytes(6).toString('hex')}`) : null;
  const module = buildRegistryModule({ config, logger, db, instrumentEngine });
  await module.init();
  const engine = createMatchingEngine({ defaultCountry: config.env.DEFAULT_PHONE_COUNTRY });
  const dispose = async (): Promise<void> => {
    await module.close();
    if (db) await db.dropDatabase();
    await client?.close();
  };
  return { module, engine, counter, dispose };
}

async function registerAll(reg: Registry, rows: UnlabelledRow[], patients: Patient[], order: number[], batch: number | undefined): Promise<{ keys: string[]; decisions: IngestOutcome['decisions'] }> {
  const keys = new Array<string>(rows.length);
  const decisions = { autoLink: 0, review: 0, new: 0 };
  const count = (outcome: RegistrationResult['outcome']): void => {
    if (outcome === 'linked') decisions.autoLink++;
    else if (outcome === 'review') decisions.review++;
    else if (outcome === 'created') decisions.new++;
  };
  const input = (i: number): RegisterSourceInput => ({ patient: patients[i] as Patient, sourceSystem: (rows[i] as UnlabelledRow).source, actor: ACTOR });
  if (!batch) {
    for (const i of order) {
      const res = await reg.module.service.registerSource(input(i));
      keys[i] = res.source.key;
      count(res.outcome);
    }
    return { keys, decisions };
  }
  for (let at = 0; at < order.length; at += batch) {
    const page = order.slice(at, at + batch);
    const results = await reg.module.service.registerMany(page.map(input));
    results.forEach((r, j) => {
      if (!r.ok) throw new Error(`row ${page[j] ?? '?'} refused: ${r.error.message}`);
      keys[page[j] as number] = r.result.source.key;
      count(r.result.outcome);
    });
  }
  return { keys, decisions };
}

async function currentGoldens(reg: Registry, keys: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const key of keys) {
    const src = await reg.module.service.getSource(key);
    out.push(src?.goldenId ?? `unlinked:${key}`);
  }
  return out;
}

async function openReviews(reg: Registry): Promise<number> {
  return (await reg.module.service.listReviews({ state: 'open', offset: 0, count: 1 })).total;
}

/**
 * Train on the rows' own features, activate the model, register every row one at a time and read
 * back each source's current golden record.
 * @param rows - unlabelled rows in file order
 * @param opts - store, order, seed, phone country
 * @returns clusters, features, review count, comparison count and phase timings
 */
export async function ingestThroughRegistry(rows: UnlabelledRow[], opts: IngestOptions): Promise<IngestOutcome> {
  const reg = await openRegistry(opts);
  try {
    let t = process.hrtime.bigint();
    const patients = await mapRows(rows);
    const map = since(t);
    t = process.hrtime.bigint();
    const features = patients.map((p) => reg.engine.extractFeatures(p));
    await reg.module.service.saveModel(trainModel(features, { seed: opts.seed }), true);
    const train = since(t);
    const indices = rows.map((_, i) => i);
    const order = opts.order === 'shuffled' ? shuffled(indices, opts.seed) : indices;
    t = process.hrtime.bigint();
    const { keys, decisions } = await registerAll(reg, rows, patients, order, opts.batch);
    const ingest = since(t);
    const comparisons = reg.counter.compares;
    return { clusters: await currentGoldens(reg, keys), features, reviewTasks: await openReviews(reg), decisions, comparisons, seconds: { map, train, ingest } };
  } finally {
    await reg.dispose();
  }
}
