/**
 * The static check that spares walking every result for function values (src/transforms/compile/
 * escape.ts): it must say "maybe" wherever a compiled function value can reach the result (the
 * expression fuzz checks the results themselves), and "no" for the DHIS2 mapping, whose per-record
 * cost it exists for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsonata from 'jsonata';
import { mayReturnFunctions } from '../../../src/transforms/compile/escape';
import type { AstNode } from '../../../src/transforms/compile/ast';
import { bothEngines } from '../../helpers/jsonata-engines';

const REGISTERED = new Set(['toDate', 'toDateTime', 'phoneE164', 'dhis2Attribute', 'translate', 'echo']);
const may = (text: string): boolean => mayReturnFunctions(jsonata(text).ast() as unknown as AstNode, REGISTERED);

it.each([
  ['a lambda', '($f := function() { 1 }; { "f": $f })'],
  ['a regex', '($r := /a/; [$r])'],
  ['a built-in as a value', '{ "f": $string }'],
  ['a registered function as a value', '$toDate'],
  ['a lambda returning its parameter', '($id := function($x) { $x }; $id(1))'],
  ['$lookup of an object holding one', '$lookup({ "a": /x/ }, "a")'],
  ['a registered function given one', '$echo(function() { 1 })'],
  ['a path step making one', 'a.(function() { 1 })'],
  ['a rebound built-in', '($contains := function() { /x/ }; $contains("a", "b"))'],
])('maybe: %s', (_what, text) => {
  expect(may(text)).toBe(true);
});

it.each([
  ['a regex consumed by $contains', '$contains(a, /x/)'],
  ['a lambda only called', '($v := function($x) { $trim($x) }; { "a": $v(a) })'],
  ['settings and input', '{ "s": $settings.system, "i": $, "r": $$.a }'],
])('no: %s', (_what, text) => {
  expect(may(text)).toBe(false);
});

it('no for the DHIS2 mapping', () => {
  const text = readFileSync(join(__dirname, '../../../src/transforms/mappings/dhis2-tracked-entity.jsonata'), 'utf8');
  expect(may(text)).toBe(false);
});

it('a result holding a function value goes to the interpreter', async () => {
  const r = await bothEngines('($f := function() { 1 }; { "f": $f, "n": 1 })');
  expect(r.compiled).toMatchObject({ error: { kind: 'NeedsInterpreter', message: 'the result holds a function value' } });
});
