/**
 * Scoring rate: candidate pairs scored per second on one core, on FEBRL3 records (names, DOB,
 * address, postcode, state, id). Runs `compare` (full explanation) and `matchWeight` (rank only),
 * each in its own child process: one loop calling both would make its call site polymorphic and
 * measure a slower path than the registry's, whose call sites each see one scorer.
 *
 *   node -r @swc-node/register bench/scoring-rate.ts
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { blockingKeys, compare, createMatchingEngine, matchWeight, mulberry32, trainModel } from '../src/registry/matching';
import type { MatchFeatures, MatchModel } from '../src/registry/matching';
import { loadDataset } from './linkage/datasets';
import { mapRows } from './linkage/registry-ingest';

function rate(label: string, features: MatchFeatures[], model: MatchModel, fn: typeof compare | typeof matchWeight, pairs: number): void {
  const rand = mulberry32(1);
  const idx = Array.from({ length: pairs * 2 }, () => Math.floor(rand() * features.length));
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let k = 0; k < pairs; k++) {
    const r = fn(features[idx[2 * k] as number] as MatchFeatures, features[idx[2 * k + 1] as number] as MatchFeatures, model);
    sink += typeof r === 'number' ? r : r.weight;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ label, pairs, pairsPerSecond: Math.round(pairs / seconds), sink: Math.round(sink) % 7 }));
}

/** Realistic load: each record against the candidates its blocking keys retrieve, probe held fixed. */
function blockedRate(features: MatchFeatures[], model: MatchModel, fn: typeof compare | typeof matchWeight): void {
  const index = new Map<string, number[]>();
  features.forEach((f, i) => {
    for (const k of blockingKeys(f)) index.set(k, [...(index.get(k) ?? []), i]);
  });
  const work: Array<[number, number[]]> = features.map((f, i) => [i, [...new Set(blockingKeys(f).flatMap((k) => index.get(k) ?? []))]]);
  let pairs = 0;
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let rep = 0; rep < 20; rep++) {
    for (const [i, cands] of work) {
      for (const j of cands) {
        const r = fn(features[i] as MatchFeatures, features[j] as MatchFeatures, model);
        sink += typeof r === 'number' ? r : r.weight;
        pairs++;
      }
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({ label: `blocked candidates, ${fn.name}`, pairs, pairsPerSecond: Math.round(pairs / seconds), sink: Math.round(sink) % 7 }));
}

const SCORERS = { compare, matchWeight } as const;

async function measure(name: keyof typeof SCORERS): Promise<void> {
  const rows = loadDataset('febrl', join(__dirname, 'data/linkage/febrl-dataset3.csv'));
  const engine = createMatchingEngine();
  const features = (await mapRows(rows)).map((p) => engine.extractFeatures(p));
  const model = trainModel(features, { seed: 1 });
  const fn = SCORERS[name];
  rate('warm-up', features, model, fn, 300000);
  rate(name, features, model, fn, 2000000);
  blockedRate(features, model, fn);
}

async function main(): Promise<void> {
  const only = process.env.SCORER;
  if (only === 'compare' || only === 'matchWeight') return measure(only);
  for (const name of Object.keys(SCORERS)) {
    const r = spawnSync(process.execPath, [...process.execArgv, __filename], { stdio: 'inherit', env: { ...process.env, SCORER: name } });
    if (r.status !== 0) throw new Error(`scorer ${name} failed`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
