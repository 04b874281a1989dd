/**
 * Temporary tuning harness: links a dataset incrementally in memory exactly the way the registry
 * does (shuffled order, blocking lookup over records already seen, score each candidate source
 * record, best per golden cluster, decide, link or create), after unsupervised EM on the dataset
 * itself. Truth is read only by the metrics, after linking.
 *
 *   node -r @swc-node/register bench/linkage/tune.ts --format febrl --input FILE [--input2 FILE]
 *     [--truth FILE] [--fields a,b] [--seed 1] [--country UG] [--debug]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsonata from 'jsonata';
import type { Patient } from 'fhir/r4';
import {
  DEFAULT_RULES, MAX_BLOCK, blockingKeys, matchRulesSchema, compare, createMatchingEngine, decide, shuffled, trainModel,
} from '../../src/registry/matching';
import type { MatchFeatures, MatchModel, MatchResult, MatchRules } from '../../src/registry/matching';
import { loadDataset, restrictFields } from './datasets';
import type { DatasetFormat, LinkageRow } from './datasets';
import { linkageMetrics, pairCompleteness } from './metrics';

interface Args { format: DatasetFormat; input: string; input2?: string; truth?: string; fields?: string[]; seed: number; country?: string; conflict?: string; debug: boolean }

function parseArgs(argv: string[]): Args {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    format: (get('format') ?? 'febrl') as DatasetFormat,
    input: get('input') ?? '',
    input2: get('input2'),
    truth: get('truth'),
    fields: get('fields')?.split(','),
    seed: Number(get('seed') ?? 1),
    country: get('country'),
    conflict: get('conflict'),
    debug: argv.includes('--debug'),
  };
}

/**
 * Map rows to FHIR Patients with the evaluation JSONata mapping.
 * @param rows - dataset rows
 * @returns one Patient per row
 */
export async function rowsToPatients(rows: LinkageRow[]): Promise<Patient[]> {
  const expr = jsonata(readFileSync(join(__dirname, '../../src/transforms/mappings/linkage-row.jsonata'), 'utf8'));
  const out: Patient[] = [];
  for (const r of rows) out.push((await expr.evaluate(r)) as Patient);
  return out;
}

interface LinkOutcome { cluster: number[]; candidates: number[][]; reviews: number }

function bestPerCluster(i: number, cands: number[], features: MatchFeatures[], cluster: number[], model: MatchModel): MatchResult[] {
  const best = new Map<number, MatchResult>();
  for (const j of cands) {
    const r = compare(features[i] as MatchFeatures, features[j] as MatchFeatures, model);
    const c = cluster[j] as number;
    const prev = best.get(c);
    if (!prev || r.weight > prev.weight) best.set(c, r);
  }
  return [...best.entries()].sort((a, b) => b[1].weight - a[1].weight).map(([c, r]) => Object.assign(r, { cluster: c }));
}

/**
 * Link records one at a time in the given order.
 * @param features - features per record
 * @param order - processing order (indices)
 * @param model - trained model
 * @returns cluster per record, candidates per record and review count
 */
export function linkIncrementally(features: MatchFeatures[], order: number[], model: MatchModel, rules: MatchRules = DEFAULT_RULES): LinkOutcome {
  const index = new Map<string, number[]>();
  const cluster: number[] = new Array<number>(features.length).fill(-1);
  const candidates: number[][] = new Array<number[]>(features.length);
  let reviews = 0;
  for (const i of order) {
    const keys = blockingKeys(features[i] as MatchFeatures);
    const cands = new Set<number>();
    for (const k of keys) for (const j of (index.get(k) ?? []).slice(0, MAX_BLOCK)) cands.add(j);
    candidates[i] = [...cands];
    const ranked = bestPerCluster(i, candidates[i], features, cluster, model);
    const outcome = decide(ranked[0], ranked[1], rules);
    if (outcome === 'review') reviews++;
    cluster[i] = outcome === 'auto-link' ? (ranked[0] as MatchResult & { cluster: number }).cluster : i;
    for (const k of keys) {
      const list = index.get(k);
      if (list) list.push(i);
      else index.set(k, [i]);
    }
  }
  return { cluster, candidates, reviews };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const rows = restrictFields(loadDataset(args.format, args.input, args.input2, args.truth), args.fields);
  const patients = await rowsToPatients(rows);
  const started = process.hrtime.bigint();
  const engine = createMatchingEngine({ defaultCountry: args.country });
  const features = patients.map((p) => engine.extractFeatures(p));
  const model = trainModel(features, { seed: args.seed });
  const order = shuffled(rows.map((_, i) => i), args.seed);
  const rules = matchRulesSchema.parse({
    ...(args.conflict ? { identifierConflict: args.conflict } : {}),
    ...(process.env.UPPER ? { upperThreshold: Number(process.env.UPPER) } : {}),
    ...(process.env.LOWER ? { lowerThreshold: Number(process.env.LOWER) } : {}),
  });
  const linked = linkIncrementally(features, order, model, rules);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const truth = rows.map((r) => r.entityId);
  const metrics = linkageMetrics(linked.cluster.map(String), truth);
  const candidateCount = linked.candidates.reduce((s, c) => s + c.length, 0);
  if (args.debug) debugReport(rows, features, linked, model);
  console.log(JSON.stringify({
    dataset: `${args.input.split('/').pop()}${args.fields ? ` [${args.fields.join(',')}]` : ''}${args.conflict ? ` conflict=${args.conflict}` : ''}`,
    ...metrics,
    reviewTasks: linked.reviews,
    reviewRate: Math.round((linked.reviews / rows.length) * 1e4) / 1e4,
    blockingPairCompleteness: pairCompleteness(linked.candidates, truth),
    candidatesPerRecord: Math.round((candidateCount / rows.length) * 100) / 100,
    recordsPerSecond: Math.round(rows.length / seconds),
    lambda: model.lambda,
  }));
}

function debugReport(rows: LinkageRow[], features: MatchFeatures[], linked: LinkOutcome, model: MatchModel): void {
  for (const [f, spec] of Object.entries(model.fields)) {
    console.error(f, spec.levels.map((l, i) => `${l}:${(spec.m[i] ?? 0).toFixed(4)}/${(spec.u[i] ?? 0).toExponential(1)}`).join(' '));
  }
  let shown = 0;
  rows.forEach((r, i) => {
    for (let j = 0; j < i && shown < 40; j++) {
      const same = rows[j]?.entityId === r.entityId;
      const linkedTogether = linked.cluster[i] === linked.cluster[j];
      if (same === linkedTogether) continue;
      const res = compare(features[i] as MatchFeatures, features[j] as MatchFeatures, model);
      console.error(same ? 'FN' : 'FP', r.recordId, rows[j]?.recordId, res.probability.toFixed(4), res.weight.toFixed(1), res.identifierRule,
        res.fields.filter((x) => x.level !== 'null').map((x) => `${x.field}=${x.level}(${x.weight.toFixed(1)})`).join(' '),
        JSON.stringify(r.fields), JSON.stringify(rows[j]?.fields));
      shown++;
    }
  });
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
