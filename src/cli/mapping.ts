/**
 * `npm run mapping -- test NAME INPUT.json`: run one mapping (bundled or from MAPPINGS_DIR) on a
 * payload and print the FHIR R4 output, or the failure with its stage, reason and position; the
 * resource type is the one the channels expect of that mapping. `npm run mapping -- list` lists the
 * mappings and where each comes from. Reads the same environment as the mediator (MAPPINGS_DIR,
 * DEFAULT_PHONE_COUNTRY, the live settings such as DHIS2_FIRST_NAME_ATTRIBUTES) but needs no database.
 * Exit codes: 0 mapped, 1 the record failed, 2 usage or configuration error.
 */
import { readFileSync } from 'node:fs';
import { liveSettingsFromEnv } from '../config/live';
import { envSchema } from '../config/schema';
import { MappingCompileError } from '../transforms';
import type { Transforms } from '../transforms';
import { buildTransforms } from '../transforms-module';
import { resourceTypeOfMapping } from '../transforms/resource-types';

const USAGE = 'usage: npm run mapping -- test NAME INPUT.json | list';

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function transformsFromEnv(env: NodeJS.ProcessEnv): Transforms {
  const parsed = envSchema.pick({ MAPPINGS_DIR: true, DEFAULT_PHONE_COUNTRY: true, MAPPING_ENGINE: true })
    .safeParse({ MAPPINGS_DIR: env.MAPPINGS_DIR || undefined, DEFAULT_PHONE_COUNTRY: env.DEFAULT_PHONE_COUNTRY || undefined, MAPPING_ENGINE: env.MAPPING_ENGINE || undefined });
  const live = liveSettingsFromEnv(env);
  if (!parsed.success || !live.ok) {
    fail(`Invalid configuration:\n${[...(parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? []), ...(live.ok ? [] : live.problems)].join('\n')}`, 2);
  }
  try {
    return buildTransforms({ mappingsDir: parsed.data.MAPPINGS_DIR, phoneCountry: parsed.data.DEFAULT_PHONE_COUNTRY, live: () => live.settings, engine: parsed.data.MAPPING_ENGINE });
  } catch (err) {
    if (err instanceof MappingCompileError) fail(err.message, 2);
    throw err;
  }
}

function readInput(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    fail(`cannot read ${file}: ${(err as Error).message}`, 2);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    fail(`${file} is not JSON: ${(err as Error).message}`, 2);
  }
}

async function test(transforms: Transforms, name: string, file: string): Promise<void> {
  if (!transforms.has(name)) fail(`no mapping named ${name}; known: ${transforms.names().join(', ')}`, 2);
  const outcome = await transforms.map(name, readInput(file), resourceTypeOfMapping(name));
  if (outcome.ok) {
    process.stdout.write(`${JSON.stringify(outcome.resource, null, 2)}\n`);
    return;
  }
  const issues = (outcome.issues ?? []).map((i) => `  - ${i.path ? `${i.path}: ` : ''}${i.message}`);
  fail([`${outcome.stage} failed: ${outcome.reason}`, ...issues].join('\n'), 1);
}

async function main(argv: string[]): Promise<void> {
  const [command, name, file] = argv;
  if (command === 'list') {
    const transforms = transformsFromEnv(process.env);
    for (const n of transforms.names()) {
      const m = transforms.get(n);
      // The engine column says whether the mapping runs compiled or on the interpreter, and why.
      const engine = m.engine === 'compiled' ? 'compiled' : `interpreter (${m.interpreterReason ?? ''})`;
      process.stdout.write(`${n.padEnd(28)} ${resourceTypeOfMapping(n).padEnd(17)} ${m.file}  ${engine}\n`);
    }
    return;
  }
  if (command !== 'test' || !name || !file) fail(USAGE, 2);
  await test(transformsFromEnv(process.env), name, file);
}

main(process.argv.slice(2)).catch((err: unknown) => fail(err instanceof Error ? err.message : String(err), 2));
