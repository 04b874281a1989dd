/**
 * Unsupervised training (Splink-style, no labels ever read): u from random record pairs; m, the
 * household and twin classes (classes.ts) and their shares by EM over blocked candidate pairs, the
 * priors scaled from the blocked shares to all pairs; term-frequency tables for names; and, per
 * identifier system, its check digit and how often it conflicts between records that agree on
 * everything else (reliability.ts). Reproducible for a given seed.
 */
import { blockingKeys } from './blocking';
import { FIELDS, FIELD_LEVELS, fieldLevels } from './comparators';
import type { MatchFeatures, MatchModel } from './contract';
import { anchoredDistribution, sharePersonId } from './anchors';
import { HOUSEHOLD, MATCH, TWINS, blockedMarginals, classConstraints, initialParams, relatedLevels } from './classes';
import { addPattern, responsibilities, runEm } from './em';
import type { EmParams, PatternTable } from './em';
import { defaultModel, modelVersion } from './model';
import { prepare } from './prepare';
import type { Prepared } from './prepare';
import { oriented } from './orientation';
import { mulberry32, shuffled } from './prng';
import { checkDigitsBySystem, countPair, judge } from './reliability';
import { identifierRule } from './score';

/** Training options; every one has a default. */
export interface TrainOptions {
  seed?: number;
  /** Records sampled for training (JeMPI samples ≤ 50,000). */
  maxRecords?: number;
  /** Random pairs drawn to estimate u. */
  uPairs?: number;
  /** Largest block used for EM pairs (bigger blocks are skipped as uninformative). */
  maxBlock?: number;
  maxIterations?: number;
  tolerance?: number;
  /** Term-frequency table size per name field. */
  maxTermValues?: number;
  /** Clock for `createdAt`; default now. */
  now?: string;
}

/** Identifiers are left out when judging whether a pair agrees on everything else. */
const IDENTIFIER_FIELDS: ReadonlySet<number> = new Set([FIELDS.indexOf('nationalId'), FIELDS.indexOf('otherId')]);
/** Match probability (identifiers left out) at which a pair counts as agreeing on everything else. */
const CONFIDENT = 0.99;

function levelCounts(): number[][] {
  return FIELDS.map((f) => new Array<number>(FIELD_LEVELS[f].length).fill(0));
}

function estimateU(records: Prepared[], pairs: number, rand: () => number): { u: number[][]; observed: number[] } {
  const counts = levelCounts();
  const levels = new Int32Array(FIELDS.length);
  const n = records.length;
  for (let k = 0; k < pairs && n > 1; k++) {
    const i = Math.floor(rand() * n);
    let j = Math.floor(rand() * (n - 1));
    if (j >= i) j++;
    fieldLevels(records[i] as Prepared, records[j] as Prepared, levels);
    for (let f = 0; f < FIELDS.length; f++) (counts[f] as number[])[levels[f] as number]! += 1;
  }
  const observed = counts.map((row) => row.reduce((s, x, l) => (l === 0 ? s : s + x), 0));
  // Half a pseudo-count per level: a level never seen among random pairs (exact national id) gets
  // u ≈ 1/(2·pairs) instead of 0.
  const u = counts.map((row, f) => row.map((x, l) => (l === 0 ? 0 : (x + 0.5) / ((observed[f] as number) + 0.5 * (row.length - 1)))));
  return { u, observed };
}

interface Blocked {
  table: PatternTable;
  pairs: number;
  deterministic: number;
  list: number[];
  /** Given-name levels of the pairs that share a person identifier's value (anchors.ts). */
  anchoredGiven: number[];
}

function blockedPatterns(records: Prepared[], features: MatchFeatures[], maxBlock: number): Blocked {
  const blocks = new Map<string, number[]>();
  features.forEach((f, i) => {
    for (const k of blockingKeys(f)) {
      const list = blocks.get(k);
      if (list === undefined) blocks.set(k, [i]);
      else if (list.length <= maxBlock) list.push(i);
    }
  });
  const table: PatternTable = { levels: [], counts: [] };
  const index = new Map<string, number>();
  const levels = new Int32Array(FIELDS.length);
  const seen = new Set<number>();
  const pairList: number[] = [];
  const anchoredGiven = new Array<number>(FIELD_LEVELS.given.length).fill(0);
  let pairs = 0;
  let deterministic = 0;
  for (const list of blocks.values()) {
    if (list.length < 2 || list.length > maxBlock) continue;
    for (let x = 0; x < list.length; x++) {
      for (let y = x + 1; y < list.length; y++) {
        const i = list[x] as number;
        const j = list[y] as number;
        const key = i * records.length + j;
        if (seen.has(key)) continue;
        seen.add(key);
        const a = records[i] as Prepared;
        const b = records[j] as Prepared;
        fieldLevels(a, b, levels);
        addPattern(table, index, levels);
        pairList.push(i, j);
        if (sharePersonId(a, b)) anchoredGiven[levels[0] as number]! += 1;
        pairs++;
        if (identifierRule(a, b) === 'same' || (levels[0] === 1 && levels[1] === 1 && levels[2] === 1)) deterministic++;
      }
    }
  }
  return { table, pairs, deterministic, list: pairList, anchoredGiven };
}

function termFrequencies(records: Prepared[], max: number): NonNullable<MatchModel['termFrequencies']> {
  const table = (pick: (r: Prepared) => string): Record<string, number> => {
    const counts = new Map<string, number>();
    let total = 0;
    for (const r of records) {
      const v = pick(r);
      if (v === '') continue;
      counts.set(v, (counts.get(v) ?? 0) + 1);
      total++;
    }
    const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, max);
    return Object.fromEntries(top.map(([v, c]) => [v, c / Math.max(total, 1)]));
  };
  return { given: table((r) => r.given), family: table((r) => r.family), _meta: { minimum: 1 / Math.max(records.length, 1) } };
}

/**
 * Per identifier system: check digit, and how the values of confident pairs (agreeing on everything
 * but identifiers) compare.
 */
function learnIdentifiers(records: Prepared[], blocked: Blocked, params: EmParams): MatchModel['identifierSystems'] {
  const systems = checkDigitsBySystem(records);
  if (systems.size === 0) return undefined;
  const levels = new Int32Array(FIELDS.length);
  const r = new Float64Array(params.p.length);
  for (let k = 0; k < blocked.list.length; k += 2) {
    const a = records[blocked.list[k] as number] as Prepared;
    const b = records[blocked.list[k + 1] as number] as Prepared;
    if (a.nationalIds.length + a.otherIds.length === 0 || b.nationalIds.length + b.otherIds.length === 0) continue;
    fieldLevels(a, b, levels);
    responsibilities(params, levels, IDENTIFIER_FIELDS, r);
    if ((r[MATCH] as number) >= CONFIDENT) countPair(a, b, systems);
  }
  return judge(systems);
}

function fieldsOf(base: MatchModel, params: EmParams, u: number[][], observed: number[]): MatchModel['fields'] {
  const fields: MatchModel['fields'] = {};
  FIELDS.forEach((f, i) => {
    if ((observed[i] as number) === 0) {
      fields[f] = base.fields[f] as MatchModel['fields'][string];
      return;
    }
    const { h, t } = relatedLevels(params, u, i);
    fields[f] = { levels: [...FIELD_LEVELS[f]], m: (params.theta[MATCH] as number[][])[i] as number[], u: u[i] as number[], h, t };
  });
  return fields;
}

/**
 * Train a model on a registry's own records, without labels.
 * @param features - the records' features (a sample is drawn when there are more than maxRecords)
 * @param opts - seed and sizes
 * @returns a versioned model; fields never observed keep their default parameters
 */
export function trainModel(features: MatchFeatures[], opts: TrainOptions = {}): MatchModel {
  const seed = opts.seed ?? 42;
  const base = defaultModel();
  const sample = features.length > (opts.maxRecords ?? 50000) ? shuffled(features, seed).slice(0, opts.maxRecords ?? 50000) : features;
  const unoriented = sample.map(prepare);
  const termTables = termFrequencies(unoriented, opts.maxTermValues ?? 20000);
  // Records compared in the name order the data's own term frequencies say (orientation.ts), as scoring will.
  const tables = { given: new Map(Object.entries(termTables.given ?? {})), family: new Map(Object.entries(termTables.family ?? {})) };
  const records = unoriented.map((r) => oriented(tables, r));
  const { u, observed } = estimateU(records, opts.uPairs ?? 200000, mulberry32(seed));
  const blocked = blockedPatterns(records, sample, opts.maxBlock ?? 200);
  const p0 = Math.min(Math.max(blocked.deterministic / Math.max(blocked.pairs, 1), 0.01), 0.5);
  const anchored = anchoredDistribution(blocked.anchoredGiven);
  const em = runEm(blocked.table, initialParams(base, u, blockedMarginals(blocked.table), p0, anchored), classConstraints(u, anchored), opts.maxIterations ?? 100, opts.tolerance ?? 1e-4);
  const n = records.length;
  // Shares of the blocked pairs, scaled to all pairs: every match, household and twin pair is assumed blocked.
  const toAllPairs = blocked.pairs / Math.max((n * (n - 1)) / 2, 1);
  const identifierSystems = learnIdentifiers(records, blocked, em.params);
  const body = {
    trainedBy: { method: 'em' as const, records: n, pairs: blocked.pairs, iterations: em.iterations, seed },
    lambda: Math.min(Math.max((em.params.p[MATCH] as number) * toAllPairs, 1e-9), 0.5),
    householdLambda: Math.min(Math.max((em.params.p[HOUSEHOLD] as number) * toAllPairs, 1e-12), 0.5),
    twinLambda: Math.min(Math.max((em.params.p[TWINS] as number) * toAllPairs, 1e-12), 0.5),
    fields: fieldsOf(base, em.params, u, observed),
    termFrequencies: termTables,
    ...(identifierSystems ? { identifierSystems } : {}),
  };
  return { ...body, version: modelVersion(body), createdAt: opts.now ?? new Date().toISOString() };
}
