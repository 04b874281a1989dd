/**
 * Linkage evaluation CLI (contracts.md §4): ingests a dataset one row at a time through the registry
 * service the APIs use, then compares the golden records with the truth.
 *
 *   npm run -s eval:linkage -- --format febrl|febrl-link|opencr|generic --input FILE [--input2 FILE]
 *     [--truth FILE] [--fields LIST] [--order file|shuffled] [--seed N] [--store memory|mongo] [--batch N] [--json]
 *
 * Training is unsupervised and the truth is read only after the last golden record has been read back.
 */
import { basename } from 'node:path';
import { blockingKeys } from '../src/registry/matching';
import type { MatchFeatures } from '../src/registry/matching';
import { FIELD_NAMES, loadDataset, restrictFields } from './linkage/datasets';
import type { DatasetFormat } from './linkage/datasets';
import { linkageMetrics, pairCompleteness } from './linkage/metrics';
import type { LinkageMetrics } from './linkage/metrics';
import { ingestThroughRegistry } from './linkage/registry-ingest';
import type { IngestOutcome } from './linkage/registry-ingest';

/** Parsed command line. */
export interface EvalArgs {
  format: DatasetFormat;
  input: string;
  input2?: string;
  truth?: string;
  fields?: string[];
  order: 'file' | 'shuffled';
  seed: number;
  store: 'memory' | 'mongo';
  /** Pages of this many rows through the bulk path (registerMany) instead of one at a time. */
  batch?: number;
  json: boolean;
}

/** The contract's JSON result (key order as in contracts.md §4). */
export interface EvalResult extends LinkageMetrics {
  dataset: string;
  reviewTasks: number;
  reviewRate: number;
  blockingPairCompleteness: number;
  candidatesPerRecord: number;
  recordsPerSecond: number;
}

/** Where the CLI writes (process streams by default; tests capture them). */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const USAGE = `usage: eval-linkage --format febrl|febrl-link|opencr|generic --input FILE [--input2 FILE]
    [--truth FILE] [--fields LIST] [--order file|shuffled] [--seed N] [--store memory|mongo] [--batch N] [--json]
  --batch: register pages of N rows through the bulk path (same decisions as one at a time)
  --fields: comma-separated subset of ${FIELD_NAMES.join(', ')} (default: every field the dataset has)
  Decision rules come from the mediator's settings: MATCH_UPPER_THRESHOLD, MATCH_LOWER_THRESHOLD,
  MATCH_IDENTIFIER_CONFLICT=review|score, MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS (see README, Configuration).`;

const FORMATS: readonly string[] = ['febrl', 'febrl-link', 'opencr', 'generic'];
const VALUED = new Set(['format', 'input', 'input2', 'truth', 'fields', 'order', 'seed', 'store', 'batch']);

/** Usage error: reported with the usage text, exit code 2. */
export class UsageError extends Error {}

function readFlags(argv: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([a-z0-9]+)$/.exec(argv[i] ?? '')?.[1];
    if (name === 'json') flags.set('json', 'true');
    else if (name && VALUED.has(name)) {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`--${name} needs a value`);
      flags.set(name, value);
    } else throw new UsageError(`unknown argument: ${argv[i] ?? ''}`);
  }
  return flags;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback?: T): T {
  const v = value ?? fallback;
  if (v === undefined || !allowed.includes(v as T)) throw new UsageError(`--${name} must be one of ${allowed.join('|')}`);
  return v as T;
}

/**
 * Parse and validate the command line.
 * @param argv - arguments after the script name
 * @returns the arguments; throws UsageError when they are invalid
 */
export function parseArgs(argv: string[]): EvalArgs {
  const f = readFlags(argv);
  const format = oneOf('format', f.get('format'), FORMATS) as DatasetFormat;
  const input = f.get('input');
  if (!input) throw new UsageError('--input is required');
  if (format === 'febrl-link' && !f.get('input2')) throw new UsageError('--format febrl-link needs --input2');
  const fields = f.get('fields')?.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = fields?.filter((x) => !(FIELD_NAMES as readonly string[]).includes(x)) ?? [];
  if (fields && (fields.length === 0 || unknown.length > 0)) throw new UsageError(`--fields: unknown field(s) ${unknown.join(',')}`);
  const seed = Number(f.get('seed') ?? 1);
  if (!Number.isInteger(seed)) throw new UsageError('--seed must be an integer');
  const input2 = f.get('input2');
  const truth = f.get('truth');
  const batch = f.has('batch') ? Number(f.get('batch')) : undefined;
  if (batch !== undefined && (!Number.isInteger(batch) || batch < 1 || batch > 5000)) throw new UsageError('--batch must be an integer from 1 to 5000');
  return {
    format, input, seed,
    ...(batch !== undefined ? { batch } : {}),
    ...(input2 ? { input2 } : {}),
    ...(truth ? { truth } : {}),
    ...(fields ? { fields } : {}),
    order: oneOf('order', f.get('order'), ['file', 'shuffled'] as const, 'shuffled'),
    store: oneOf('store', f.get('store'), ['memory', 'mongo'] as const, 'memory'),
    json: f.has('json'),
  };
}

function datasetLabel(args: EvalArgs): string {
  const files = [args.input, args.input2].filter((x): x is string => !!x).map((p) => basename(p)).join('+');
  return `${files}${args.fields ? ` [${args.fields.join(',')}]` : ''}${args.store === 'mongo' ? ' (mongo)' : ''}${args.batch ? ` (batch ${args.batch})` : ''}`;
}

/**
 * Blocking pair completeness: the share of true pairs whose records share at least one blocking key.
 * @param features - features per record
 * @param truth - true entity per record
 * @returns 0..1
 */
export function sharedKeyCompleteness(features: MatchFeatures[], truth: string[]): number {
  const keys = features.map((f) => new Set(blockingKeys(f)));
  const byEntity = new Map<string, number[]>();
  truth.forEach((e, i) => byEntity.set(e, [...(byEntity.get(e) ?? []), i]));
  const candidates: number[][] = truth.map(() => []);
  for (const members of byEntity.values()) {
    for (const i of members) {
      candidates[i] = members.filter((j) => j !== i && [...(keys[j] as Set<string>)].some((k) => (keys[i] as Set<string>).has(k)));
    }
  }
  return pairCompleteness(candidates, truth);
}

function score(args: EvalArgs, outcome: IngestOutcome, truth: string[]): EvalResult {
  const n = truth.length;
  const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;
  return {
    dataset: datasetLabel(args),
    ...linkageMetrics(outcome.clusters, truth),
    reviewTasks: outcome.reviewTasks,
    reviewRate: round(outcome.reviewTasks / Math.max(n, 1), 4),
    blockingPairCompleteness: sharedKeyCompleteness(outcome.features, truth),
    candidatesPerRecord: round(outcome.comparisons / Math.max(n, 1), 2),
    recordsPerSecond: round(n / Math.max(outcome.seconds.ingest, 1e-9), n / outcome.seconds.ingest >= 100 ? 0 : 2),
  };
}

/**
 * Run one evaluation.
 * @param args - parsed arguments
 * @returns the metrics and the ingest outcome (timings)
 */
export async function evaluate(args: EvalArgs): Promise<{ result: EvalResult; outcome: IngestOutcome }> {
  const rows = restrictFields(loadDataset(args.format, args.input, args.input2, args.truth), args.fields);
  const unlabelled = rows.map(({ recordId, source, fields }) => ({ recordId, source, fields }));
  const outcome = await ingestThroughRegistry(unlabelled, {
    store: args.store, order: args.order, seed: args.seed, ...(args.format === 'opencr' ? { phoneCountry: 'UG' } : {}),
    ...(args.batch ? { batch: args.batch } : {}),
  });
  // Scoring is finished: only now is the truth read.
  return { result: score(args, outcome, rows.map((r) => r.entityId)), outcome };
}

function summary(r: EvalResult, o: IngestOutcome): string[] {
  const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;
  const s = o.seconds;
  return [
    `dataset              ${r.dataset}`,
    `records / entities   ${r.records} / ${r.entities}`,
    `pairs true / found   ${r.truePairs} / ${r.predictedPairs}`,
    `pairwise P / R / F1  ${pct(r.precision)} / ${pct(r.recall)} / ${pct(r.f1)}`,
    `cluster  P / R / F1  ${pct(r.clusterPrecision)} / ${pct(r.clusterRecall)} / ${pct(r.clusterF1)}`,
    `false merges         ${r.falseMerges}`,
    `review tasks         ${r.reviewTasks} (${pct(r.reviewRate)} of records)`,
    `blocking completeness ${pct(r.blockingPairCompleteness)}`,
    `candidates / record  ${r.candidatesPerRecord}`,
    `throughput           ${r.recordsPerSecond} records/s`,
    `time map / train / ingest  ${s.map.toFixed(2)} s / ${s.train.toFixed(2)} s / ${s.ingest.toFixed(2)} s`,
  ];
}

const stdio: Output = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/**
 * CLI entry point.
 * @param argv - arguments after the script name
 * @param io - output streams
 * @returns the exit code (0 ok, 1 failure, 2 bad arguments)
 */
export async function main(argv: string[], io: Output = stdio): Promise<number> {
  let args: EvalArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`eval-linkage: ${err.message}\n${USAGE}`);
    return 2;
  }
  try {
    const { result, outcome } = await evaluate(args);
    if (args.json) io.out(JSON.stringify(result));
    else summary(result, outcome).forEach((l) => io.out(l));
    return 0;
  } catch (err) {
    io.err(`eval-linkage: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
