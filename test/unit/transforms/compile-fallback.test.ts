/**
 * Which engine runs a mapping, and the interpreter taking over: a mapping with anything outside the
 * compiled subset is decided `interpreter` at load (with the reason, logged at debug) and still maps;
 * a compiled evaluation that meets something only the interpreter can do, or that fails, is redone by
 * the interpreter, so the record gets the interpreter's result or failure reason.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTransforms } from '../../../src/transforms';
import { REPRODUCED_JSONATA, jsonataVersionProblem } from '../../../src/transforms/compile';
import type { MappingFunctionOptions } from '../../../src/transforms';
import { bothEngines } from '../../helpers/jsonata-engines';

const FUNCTIONS: MappingFunctionOptions = { translate: () => undefined, phoneCountry: () => 'SL', dhis2Attributes: () => ({}) };
const patient = (body: string): string => `{ "resourceType": "Patient", ${body} }`;

const OUTSIDE: Record<string, [mapping: string, reason: RegExp]> = {
  'map-lambda': [patient('"name": [{ "given": $map(names, function($n) { $uppercase($n) }) }]'), /the \$map function/],
  'apply-chain': [patient('"gender": gender ~> $lowercase()'), /apply expression/],
  'sum': [patient('"id": $string($sum(numbers))'), /the \$sum function/],
  'group-by': [patient('"name": [names{ $: $length($) }]'), /group/],
  'descendants': [patient('"id": **.uid[0]'), /descendant/],
  'bind-in-member': [patient('"id": $id := uid, "gender": "male"'), /:= binding inside an array item or object value/],
};

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'engines-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, `${name}.jsonata`), text);
  return dir;
}

const INPUT = { names: ['ada', 'grace'], gender: 'MALE', numbers: [1, 2], uid: 'u1', nested: { uid: 'u2' } };

describe('a mapping outside the subset', () => {
  const dir = folder(Object.fromEntries(Object.entries(OUTSIDE).map(([name, [text]]) => [name, text])));
  const debug = jest.fn();
  const auto = loadTransforms({ dirs: [dir], functions: FUNCTIONS, settings: () => ({}), logger: { debug } });
  const interpreter = loadTransforms({ dirs: [dir], functions: FUNCTIONS, settings: () => ({}), engine: 'interpreter' });

  it.each(Object.entries(OUTSIDE))('%s stays on the interpreter, says why, and maps as before', async (name, [, reason]) => {
    expect(auto.get(name)).toMatchObject({ engine: 'interpreter', interpreterReason: expect.stringMatching(reason) });
    expect(await auto.map(name, structuredClone(INPUT), 'Patient')).toStrictEqual(await interpreter.map(name, structuredClone(INPUT), 'Patient'));
  });

  it('logs the engine of each mapping at debug', () => {
    expect(debug).toHaveBeenCalledWith(expect.objectContaining({ mapping: 'map-lambda', engine: 'interpreter', reason: expect.stringMatching(/\$map/) }), expect.any(String));
  });

  it('the $map one really maps', async () => {
    expect(await auto.map('map-lambda', INPUT, 'Patient')).toEqual({ ok: true, resource: { resourceType: 'Patient', name: [{ given: ['ADA', 'GRACE'] }] } });
  });
});

describe('the interpreter taking over one evaluation', () => {
  const dir = folder({
    // $sum is bound by the mapping, so it compiles; the first call still reaches JSONata's $sum.
    'late-binding': `( $r := $sum(numbers); $sum := function($a) { 0 }; ${patient('"id": $string($r) & "-" & $string($sum(numbers))')} )`,
    // Two members fail: the interpreter's concurrent evaluation decides which reason wins.
    'two-failures': patient('"identifier": [{ "value": $trim(uid) }], "birthDate": $toDate(birth)'),
    'deep-recursion': `( $count := function($n, $acc) { $n = 0 ? $acc : $count($n - 1, $acc + 1) }; ${patient('"id": $string($count(3000, 0))')} )`,
    compiled: patient('"id": uid'),
  });
  const debug = jest.fn();
  const auto = loadTransforms({ dirs: [dir], functions: FUNCTIONS, settings: () => ({}), logger: { debug } });
  const interpreter = loadTransforms({ dirs: [dir], functions: FUNCTIONS, settings: () => ({}), engine: 'interpreter' });

  it('compiles them', () => {
    expect(auto.names().map((n) => auto.get(n).engine)).toEqual(['compiled', 'compiled', 'compiled', 'compiled']);
  });

  it('a built-in outside the subset reached at run time, logged at debug', async () => {
    debug.mockClear();
    expect(await auto.map('late-binding', INPUT, 'Patient')).toEqual({ ok: true, resource: { resourceType: 'Patient', id: '3-0' } });
    expect(debug).toHaveBeenCalledWith({ mapping: 'late-binding', code: undefined, kind: '$sum is outside the compiled subset' }, 'compiled evaluation redone by the interpreter');
  });

  it('the failure reason is the interpreter\'s', async () => {
    const input = { uid: 7, birth: '2019-02-30' };
    const expected = await interpreter.map('two-failures', input, 'Patient');
    expect(expected).toMatchObject({ ok: false, stage: 'mapping' });
    debug.mockClear();
    expect(await auto.map('two-failures', input, 'Patient')).toStrictEqual(expected);
    // The record's values stay out of the log: the compiled error's code only.
    expect(debug).toHaveBeenCalledWith({ mapping: 'two-failures', code: 'T0410', kind: undefined }, 'compiled evaluation redone by the interpreter');
  });

  it('a tail recursion deeper than the compiled code\'s stack', async () => {
    expect(await auto.map('deep-recursion', {}, 'Patient')).toEqual({ ok: true, resource: { resourceType: 'Patient', id: '3000' } });
  });

  it('the choice can be forced to the interpreter', () => {
    expect(interpreter.get('compiled')).toMatchObject({ engine: 'interpreter', interpreterReason: 'the interpreter was asked for' });
  });
});

describe('what the compiled code hands over', () => {
  it('an asynchronous custom function', async () => {
    const r = await bothEngines('$later(1) + 1');
    expect(r.interpreter).toEqual({ value: 2 });
    expect(r.compiled).toMatchObject({ error: { kind: 'NeedsInterpreter' } });
  });

  it('a recursion deeper than its stack: the compiled code runs out of it, never answers wrongly', async () => {
    // The interpreter trampolines tail calls; compiled calls use the JS stack (about 2,000 levels here).
    const r = await bothEngines('($count := function($n, $acc) { $n = 0 ? $acc : $count($n - 1, $acc + 1) }; $count(3000, 0))');
    expect(r.interpreter).toEqual({ value: 3000 });
    expect(r.compiled).toMatchObject({ error: { kind: 'RangeError' } });
  });
});

describe('another jsonata release', () => {
  it('compiles nothing for a jsonata the engine was not verified against', () => {
    expect(jsonataVersionProblem(REPRODUCED_JSONATA)).toBeUndefined();
    expect(jsonataVersionProblem('2.3.0')).toBe('jsonata 2.3.0 is installed; the compiled engine reproduces jsonata 2.2.2');
  });
});
