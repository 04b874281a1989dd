/**
 * Golden pairs: every case under test/fixtures/transforms/<mapping>/<case>/ maps `input.json` with
 * the case's `settings.json` (live-settings overrides, plus `phoneCountry`) and must give exactly
 * `expected.json`: the FHIR resource, or `{ "error": { stage, reason, issues? } }`. Every mapping has
 * at least one case. UPDATE_GOLDEN=1 rewrites the expected files (review the diff before committing).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourceTypeOfMapping } from '../../../src/transforms/resource-types';
import { caseSettings, goldenCases, readJson } from '../../helpers/golden-cases';
import { testTransforms } from '../../helpers/transforms';

const cases = goldenCases();

test('every mapping has golden cases', () => {
  const covered = new Set(cases.map((c) => c.mapping));
  expect(testTransforms().names().filter((n) => !covered.has(n))).toEqual([]);
});

test.each(cases)('$mapping / $name', async (c) => {
  const { mapping, dir } = c;
  const { overrides, phoneCountry } = caseSettings(c);
  const transforms = testTransforms(overrides, { phoneCountry });
  const outcome = await transforms.map(mapping, readJson(join(dir, 'input.json')), resourceTypeOfMapping(mapping));
  const actual = outcome.ok ? outcome.resource : { error: { stage: outcome.stage, reason: outcome.reason, ...(outcome.issues ? { issues: outcome.issues } : {}) } };
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(join(dir, 'expected.json'), `${JSON.stringify(actual, null, 2)}\n`);
  expect(actual).toEqual(readJson(join(dir, 'expected.json')));
});
