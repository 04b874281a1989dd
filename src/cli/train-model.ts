/**
 * `npm run model -- train [--seed N] [--max-records N] [--dry-run]` trains a matching model on the
 * registry's own source records (unsupervised: EM for m, random pairs for u) and activates it;
 * `npm run model -- show` prints the active model's parameters and weights; `npm run model -- relink
 * [--apply]` re-scores automatic links with the active model (dry-run diff unless --apply).
 * Reads MONGODB_URI / MONGODB_DB from the environment.
 */
import { parseArgs } from 'node:util';
import type { MatchFeatures, MatchModel } from '../registry/matching/contract';
import { DEFAULT_RULES, createMatchingEngine, decide, defaultModel, trainModel } from '../registry/matching';
import { createRegistryService } from '../registry/service';
import { createMongoRegistryStore } from '../registry/mongo/mongo-store';
import type { RegistryStore } from '../registry/store';
import { createMongoClient } from '../storage/mongo-client';

/**
 * Render a model as a readable table: per field and level, m, u and the log2 weight.
 * @param model - the model to show
 */
export function describeModel(model: MatchModel): string {
  const lines = [`model ${model.version} (${model.trainedBy.method}${model.trainedBy.records ? `, ${model.trainedBy.records} records, ${model.trainedBy.pairs ?? 0} pairs, ${model.trainedBy.iterations ?? 0} iterations, seed ${model.trainedBy.seed ?? '-'}` : ''})`, `created ${model.createdAt}; prior lambda ${model.lambda.toExponential(3)}`, ''];
  lines.push('field        level               m          u          weight(bits)');
  for (const [field, p] of Object.entries(model.fields)) {
    p.levels.forEach((level, i) => {
      const m = p.m[i] ?? 0;
      const u = p.u[i] ?? 0;
      const w = m > 0 && u > 0 ? Math.log2(m / u).toFixed(2) : 'neutral';
      lines.push(`${field.padEnd(12)} ${level.padEnd(18)} ${m.toFixed(5).padStart(9)} ${u.toFixed(5).padStart(10)}  ${w.padStart(8)}`);
    });
  }
  return lines.join('\n');
}

/**
 * Every active source record's features, paged through the store.
 * @param store - the registry store
 */
export async function collectFeatures(store: RegistryStore): Promise<MatchFeatures[]> {
  const out: MatchFeatures[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Awaited<ReturnType<RegistryStore['records']['page']>> = await store.records.page(after, 1000);
    if (page.length === 0) return out;
    for (const s of page) if (s.active) out.push(s.features);
    after = page[page.length - 1]!.key;
  }
}

const USAGE = 'usage: npm run model -- train [--seed N] [--max-records N] [--dry-run] | show | relink [--apply]\n';

/**
 * Re-score every automatic link with the active model and print the moves; `apply` performs them
 * (each a recorded change with its event). Manual links and not-a-match decisions are left alone.
 * @param store - the registry store
 * @param apply - perform the moves instead of listing them
 */
async function relinkCommand(store: RegistryStore, apply: boolean): Promise<void> {
  const service = createRegistryService({
    store, engine: createMatchingEngine(), defaultModel: defaultModel(),
    config: { decision: { autoLink: DEFAULT_RULES.upperThreshold, review: DEFAULT_RULES.lowerThreshold, margin: 0.05 } },
    decide: (best, runnerUp) => decide(best, runnerUp, DEFAULT_RULES),
  });
  const diff = await service.relink({
    dryRun: !apply, actor: { clientId: 'cli:model-relink' },
    onProgress: (p) => process.stderr.write(`\r${p.done}/${p.total} sources, ${p.changes} moves`),
  });
  process.stderr.write('\n');
  for (const d of diff) process.stdout.write(`${apply ? 'moved' : 'would move'} ${d.sourceKey}: ${d.from ?? '-'} -> ${d.to}${d.score !== undefined ? ` (p=${d.score.toFixed(4)})` : ''}\n`);
  process.stdout.write(`${diff.length} ${apply ? 'moves applied' : 'moves proposed (dry run; --apply performs them)'}\n`);
}

async function trainCommand(store: RegistryStore, seed: number, maxRecords: number, dryRun: boolean): Promise<void> {
  const features = await collectFeatures(store);
  const started = performance.now();
  const model = trainModel(features, { seed, maxRecords });
  process.stdout.write(`${describeModel(model)}\n\ntrained on ${features.length} records in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  if (dryRun) return;
  await store.models.put({ version: model.version, model, createdAt: model.createdAt, active: false });
  await store.models.activate(model.version);
  process.stdout.write(`activated ${model.version}\n`);
}

async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { seed: { type: 'string', default: '42' }, 'max-records': { type: 'string', default: '50000' }, 'dry-run': { type: 'boolean', default: false }, apply: { type: 'boolean', default: false } },
  });
  const command = positionals[0];
  if (command !== 'train' && command !== 'show' && command !== 'relink') {
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const client = createMongoClient(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27117/');
  try {
    const store = createMongoRegistryStore(client.db(process.env.MONGODB_DB ?? 'passerelle'));
    if (command === 'show') process.stdout.write(`${describeModel((await store.models.active())?.model ?? defaultModel())}\n`);
    else if (command === 'relink') await relinkCommand(store, values.apply);
    else await trainCommand(store, Number(values.seed), Number(values['max-records']), values['dry-run']);
  } finally {
    await client.close();
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
