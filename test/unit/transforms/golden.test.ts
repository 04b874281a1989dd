/**
 * Golden pairs: every case under test/fixtures/transforms/<mapping>/<case>/ maps `input.json` with
 * the case's `settings.json` (live-settings overrides, plus `phoneCountry`) and must give exactly
 * `expected.json`: the FHIR resource, or `{ "error": { stage, reason, issues? } }`. Every mapping has
 * at least one case. UPDATE_GOLDEN=1 rewrites the expected files (review the diff before committing).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourceTypeOfMapping } from '../../../src/transforms/resource-types';
import { testTransforms } from '../../helpers/transforms';

const ROOT = join(__dirname, '../../fixtures/transforms');
const readJson = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

const cases = readdirSync(ROOT).flatMap((mapping) =>
  existsSync(join(ROOT, mapping)) && !mapping.includes('.')
    ? readdirSync(join(ROOT, mapping)).map((name) => ({ mapping, name, dir: join(ROOT, mapping, name) }))
    : [],
);

test('every mapping has golden cases', () => {
  const covered = new Set(cases.map((c) => c.mapping));
  expect(testTransforms().names().filter((n) => !covered.has(n))).toEqual([]);
});

test.each(cases)('$mapping / $name', async ({ mapping, dir }) => {
  const { phoneCountry, ...overrides } = (existsSync(join(dir, 'settings.json')) ? readJson(join(dir, 'settings.json')) : {}) as Record<string, unknown>;
  const transforms = testTransforms(overrides, { phoneCountry: typeof phoneCountry === 'string' ? phoneCountry : undefined });
  const outcome = await transforms.map(mapping, readJson(join(dir, 'input.json')), resourceTypeOfMapping(mapping));
  const actual = outcome.ok ? outcome.resource : { error: { stage: outcome.stage, reason: outcome.reason, ...(outcome.issues ? { issues: outcome.issues } : {}) } };
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(join(dir, 'expected.json'), `${JSON.stringify(actual, null, 2)}\n`);
  expect(actual).toEqual(readJson(join(dir, 'expected.json')));
});
