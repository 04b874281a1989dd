/**
 * Every golden case (test/fixtures/transforms/<mapping>/<case>) through both engines: the compiled
 * mapping gives the interpreter's evaluation exactly (null-prototype objects and sequence flags
 * included) and, through `map`, the same resource or the same failure stage and reason.
 */
import { join } from 'node:path';
import { resourceTypeOfMapping } from '../../../src/transforms/resource-types';
import { caseSettings, goldenCases, readJson } from '../../helpers/golden-cases';
import { compiledAlone, enginePair, interpreted, sameEvaluation } from '../../helpers/mapping-engines';

const cases = goldenCases();

test('every bundled mapping is compiled', () => {
  const pair = enginePair();
  expect(pair.compiled.names().map((n) => [n, pair.compiled.get(n).engine, pair.compiled.get(n).interpreterReason])).toEqual(
    pair.compiled.names().map((n) => [n, 'compiled', undefined]),
  );
});

test.each(cases)('$mapping / $name: same evaluation and same outcome on both engines', async (c) => {
  const { mapping, dir } = c;
  const { overrides, phoneCountry } = caseSettings(c);
  const pair = enginePair(overrides, { phoneCountry });
  const input = readJson(join(dir, 'input.json'));
  const expected = await interpreted(pair, mapping, input);
  const actual = compiledAlone(pair, mapping, input);
  expect(actual).toStrictEqual(expected);
  // node's strict equality also compares arrays' own properties (JSONata's `sequence` flags).
  expect(sameEvaluation(actual, expected)).toBe(true);
  const type = resourceTypeOfMapping(mapping);
  expect(await pair.compiled.map(mapping, input, type)).toStrictEqual(await pair.interpreter.map(mapping, input, type));
});
