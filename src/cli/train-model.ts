/**
 * `npm run model -- train [--seed N] [--max-records N] [--dry-run]` trains a matching model on the
 * registry's own source records (unsupervised: EM for m, random pairs for u) and activates it;
 * `npm run model -- show` prints the active model's parameters and weights; `npm run model -- relink
 * [--apply]` re-scores automatic links with the active model (dry-run diff unless --apply).
 * The registry is the mediator's (tool-runtime.ts): the same environment, the same match rules, MPI ID
 * format and phone country; applied moves are recorded changes whose events the mediator's relay
 * publishes.
 */
import { parseArgs } from 'node:util';
import type { MatchFeatures, MatchModel } from '../registry/matching/contract';
import { trainModel } from '../registry/matching';
import type { RegistryModule } from '../registry-module';
import type { RegistryStore } from '../registry/store';
import { openToolRegistry, runTool } from './tool-runtime';

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

const USAGE = 'usage: npm run model -- train [--seed N] [--max-records N] [--dry-run] | show | relink [--apply]';

/** Where a command writes: results on `out`, progress on `progress` (stderr from a shell). */
export interface ModelCliIo {
  out(line: string): void;
  progress(text: string): void;
}

/**
 * Re-score every automatic link with the active model and print the moves; `apply` performs them
 * (each a recorded change with its event). Manual links and not-a-match decisions are left alone.
 * @param registry - the registry as the mediator composes it
 * @param apply - perform the moves instead of listing them
 * @param io - output
 */
async function relinkCommand(registry: RegistryModule, apply: boolean, io: ModelCliIo): Promise<void> {
  const diff = await registry.service.relink({
    dryRun: !apply, actor: { clientId: 'cli:model-relink' },
    onProgress: (p) => io.progress(`\r${p.done}/${p.total} sources, ${p.changes} moves`),
  });
  io.progress('\n');
  for (const d of diff) io.out(`${apply ? 'moved' : 'would move'} ${d.sourceKey}: ${d.from ?? '-'} -> ${d.to}${d.score !== undefined ? ` (p=${d.score.toFixed(4)})` : ''}`);
  io.out(`${diff.length} ${apply ? 'moves applied' : 'moves proposed (dry run; --apply performs them)'}`);
}

async function trainCommand(registry: RegistryModule, opts: { seed: number; maxRecords: number; dryRun: boolean }, io: ModelCliIo): Promise<void> {
  const features = await collectFeatures(registry.store);
  const started = performance.now();
  const model = trainModel(features, { seed: opts.seed, maxRecords: opts.maxRecords });
  io.out(`${describeModel(model)}\n\ntrained on ${features.length} records in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (opts.dryRun) return;
  await registry.service.saveModel(model, true);
  io.out(`activated ${model.version}`);
}

/**
 * Run one `model` command against the registry the environment describes.
 * @param argv - arguments after the script name
 * @param env - the environment (process.env from a shell), read through loadConfig
 * @param io - output
 * @returns the exit code
 */
export async function runModelCli(argv: string[], env: NodeJS.ProcessEnv, io: ModelCliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { seed: { type: 'string', default: '42' }, 'max-records': { type: 'string', default: '50000' }, 'dry-run': { type: 'boolean', default: false }, apply: { type: 'boolean', default: false } },
  });
  const command = positionals[0];
  if (command !== 'train' && command !== 'show' && command !== 'relink') {
    io.progress(`${USAGE}\n`);
    return 2;
  }
  const opened = await openToolRegistry(env, 'passerelle-model-cli');
  try {
    if (command === 'show') io.out(describeModel(await opened.registry.service.activeModel()));
    else if (command === 'relink') await relinkCommand(opened.registry, values.apply, io);
    else await trainCommand(opened.registry, { seed: Number(values.seed), maxRecords: Number(values['max-records']), dryRun: values['dry-run'] }, io);
    return 0;
  } finally {
    await opened.close();
  }
}

if (require.main === module) {
  runTool(() => runModelCli(process.argv.slice(2), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    progress: (text) => process.stderr.write(text),
  }));
}
