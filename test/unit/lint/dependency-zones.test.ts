/**
 * The dependency zones of eslint.config.mjs: an import that reaches into another module's internals
 * or picks an adapter outside the composition root is a lint error. Each probe lints one import line
 * as if it were written in a real file of the zone (ESLint's API, in a child process: the flat config
 * is an ES module, which Jest's CommonJS sandbox cannot import).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

// [file the import is written in, import specifier, forbidden?]
const PROBES: Array<[string, string, boolean]> = [
  ['src/http/errors.ts', '../registry/service', true],
  ['src/http/errors.ts', '../registry/api', false],
  ['src/http/auth/plugin.ts', '../../mpi-api/problem', true],
  ['src/audit/plugin.ts', '../registry/mongo/backend', true],
  ['src/audit/plugin.ts', '../fhir/types', true],
  ['src/audit/plugin.ts', './fhir', false],
  ['src/practitioners/mongo-store.ts', '../registry/mongo/backend', true],
  ['src/practitioners/mongo-store.ts', '../registry/mongo/search-query', true],
  ['src/practitioners/mongo-store.ts', '../storage/errors', false],
  ['src/fhir/plugin.ts', '../practitioners/memory-store', true],
  ['src/fhir/plugin.ts', '../practitioners/port', false],
  ['src/mpi-api/plugin.ts', '../registry/memory/memory-store', true],
  ['src/mpi-api/plugin.ts', '../audit/mongo', true],
  ['src/events/relay.ts', '../registry/mongo/mongo-store', true],
  ['src/registry/survivorship.ts', '../practitioners/mongo-store', true],
  ['src/registry/survivorship.ts', './memory/memory-store', false],
  ['src/registry/survivorship.ts', 'fhir/r4', false],
  ['src/app.ts', './registry/mongo/mongo-store', false],
  ['src/registry-module.ts', './registry/memory/memory-store', false],
  ['src/cli/train-model.ts', '../registry/mongo/mongo-store', false],
];

const SCRIPT = `
const { ESLint } = require('eslint');
(async () => {
  const probes = JSON.parse(process.argv[1]);
  const eslint = new ESLint({ cwd: process.cwd(), ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports' });
  const out = [];
  for (const [file, spec] of probes) {
    const [r] = await eslint.lintText("import * as probe from '" + spec + "';\\nexport const used = probe;\\n", { filePath: require('node:path').join(process.cwd(), file) });
    out.push(r.messages.some((m) => m.ruleId === 'no-restricted-imports'));
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe('dependency zones', () => {
  test('forbidden imports are lint errors, allowed ones are not', () => {
    const flagged = JSON.parse(execFileSync(process.execPath, ['-e', SCRIPT, JSON.stringify(PROBES)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 20 })) as boolean[];
    expect(PROBES.map(([file, spec], i) => [file, spec, flagged[i]])).toEqual(PROBES);
  }, 120_000);
});
