/**
 * `npm run model -- train [--seed N] [--max-records N] [--dry-run]` trains a matching model on the
 * registry's own source records (unsupervised: EM for m, random pairs for u) and activates it;
 * `npm run model -- show` prints the active model's parameters and weights and what it learned about
 * each identifier system's reliability, under the MATCH_* rules in force; `npm run model -- relink
 * [--apply]` re-scores automatic links with the active model (dry-run diff unless --apply).
 * Reads MONGODB_URI / MONGODB_DB from the environment.
 */
import { parseArgs } from 'node:util';
import type { MatchFeatures } from '../registry/matching/contract';
import { createMatchingEngine, defaultModel, rulesFromEnvironment, trainModel } from '../registry/matching';
import { createRegistryService } from '../registry/service';
import { createMongoRegistryStore } from '../registry/mongo/mongo-store';
import type { RegistryStore } from '../registry/store';
import { createMongoClient } from '../storage/mongo-client';
import { describeModel } from './describe-model';

export { describeModel } from './describe-model';

/**
 * Every active source record's features, paged through the store.
 * @param store - the registry store
 */
export async function collectFeatures(store: RegistryStore): Promise<MatchFeatures[]> {
  const out: MatchFeatures[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await store.sources.page(after, 1000);
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
    config: { rules: rulesFromEnvironment(process.env) },
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
    if (command === 'show') process.stdout.write(`${describeModel((await store.models.active())?.model ?? defaultModel(), rulesFromEnvironment(process.env))}\n`);
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
