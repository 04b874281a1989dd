/**
 * Property test of the compiled engine: thousands of seeded random inputs per mapping (golden inputs
 * mutated: missing fields, wrong types, empty or odd arrays, 100 KB strings, unicode; random JSON of
 * any shape; for DHIS2 also tracked entities built at random) give, on the compiled code alone, the
 * interpreter's value exactly (or an error where it fails); and through `map` (compiled,
 * the interpreter redoing failures) the same resource or the same failure stage and reason.
 * FUZZ_RUNS multiplies the number of inputs; FUZZ_SEED changes the seed.
 */
import { join } from 'node:path';
import { resourceTypeOfMapping } from '../../../src/transforms/resource-types';
import { goldenCases, readJson } from '../../helpers/golden-cases';
import { compiledAlone, enginePair, interpreted, sameEvaluation } from '../../helpers/mapping-engines';
import type { EnginePair, Evaluation } from '../../helpers/mapping-engines';
import { fuzzInputs, fuzzTrackedEntities } from '../../helpers/mapping-fuzz';

jest.setTimeout(600_000);

const SCALE = Number(process.env.FUZZ_RUNS ?? 1);
const SEED = Number(process.env.FUZZ_SEED ?? 20_240_614);

const cases = goldenCases();
const goldenInputs = (mapping: string): unknown[] => cases.filter((c) => c.mapping === mapping).map((c) => readJson(join(c.dir, 'input.json')));
const mappings = [...new Set(cases.map((c) => c.mapping))];

/**
 * The compiled code alone must return the interpreter's value, or throw when it throws. Which error
 * it throws may differ: the interpreter evaluates array items and object values concurrently, so of
 * two failing members the one whose failure settles first wins, and its positions follow the same
 * scheduling; that is why `map` has the interpreter redo a failing evaluation (checked below, to
 * the reason). Single failures are compared to the message in compile-semantics.test.ts.
 */
function agrees(actual: Evaluation, expected: Evaluation): boolean {
  return 'error' in expected ? 'error' in actual : sameEvaluation(actual, expected);
}

/** The compiled code handed the evaluation to the interpreter (then `map` gives the interpreter's outcome). */
const handedOver = (e: Evaluation): boolean => 'error' in e && e.error.kind === 'NeedsInterpreter';

async function mismatches(pair: EnginePair, mapping: string, inputs: unknown[]): Promise<string[]> {
  const found: string[] = [];
  let handOvers = 0;
  const type = resourceTypeOfMapping(mapping);
  for (const [i, input] of inputs.entries()) {
    // Each engine gets its own copy: JSONata may push into an empty context array.
    const expected = await interpreted(pair, mapping, structuredClone(input));
    const actual = compiledAlone(pair, mapping, structuredClone(input));
    handOvers += handedOver(actual) ? 1 : 0;
    if (!handedOver(actual) && !agrees(actual, expected)) found.push(`#${i} evaluate: ${JSON.stringify({ input, expected, actual }).slice(0, 600)}`);
    const viaInterpreter = await pair.interpreter.map(mapping, structuredClone(input), type);
    const viaCompiled = await pair.compiled.map(mapping, structuredClone(input), type);
    if (JSON.stringify(viaCompiled) !== JSON.stringify(viaInterpreter)) found.push(`#${i} map: ${JSON.stringify({ input, viaInterpreter, viaCompiled }).slice(0, 600)}`);
    if (found.length >= 5) break;
  }
  // Hand-overs (an object constructor over an empty array…) are rare shapes, not the common path.
  if (handOvers > inputs.length / 20) found.push(`${handOvers} of ${inputs.length} evaluations handed to the interpreter`);
  return found;
}

const pair = enginePair();

test.each(mappings)('%s: random inputs give the same result on both engines', async (mapping) => {
  const inputs = fuzzInputs(SEED + mapping.length, goldenInputs(mapping), Math.round(2000 * SCALE));
  expect(await mismatches(pair, mapping, inputs)).toEqual([]);
});

test('dhis2-tracked-entity: random tracked entities give the same result on both engines', async () => {
  const inputs = fuzzTrackedEntities(SEED, Math.round(4000 * SCALE));
  expect(await mismatches(pair, 'dhis2-tracked-entity', inputs)).toEqual([]);
});
