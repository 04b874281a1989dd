/**
 * The corners of JSONata's semantics the compiled subset must keep: each expression is evaluated by
 * the interpreter and by the compiled code alone, which must agree exactly (values with their
 * prototypes and sequence flags; errors by class, code and message). The expected values document
 * what JSONata does.
 */
import { bothEngines, identical } from '../../helpers/jsonata-engines';

const PEOPLE = { a: [{ b: 1 }, { b: [2, 3] }, { c: 4 }], one: [{ b: 'x' }], arr: [[1, 2], [3]], s: 'text', n: 0, obj: { k: 'v' }, e: [] };

/** Arrays without JSONata's flags and objects with a prototype, to state expected values plainly. */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
}

type Row = [title: string, expression: string, input: unknown, expected?: unknown];

const rows: Row[] = [
  // Paths, sequences, singleton unwrapping, flattening
  ['maps over arrays and flattens', 'a.b', PEOPLE, [1, 2, 3]],
  ['unwraps a singleton', 'one.b', PEOPLE, 'x'],
  ['keeps a single array value whole', 'a[1].b', PEOPLE, [2, 3]],
  ['nested arrays flatten one level per step', 'arr', PEOPLE, [[1, 2], [3]]],
  ['a missing field is nothing', 'nope.deeper', PEOPLE, undefined],
  ['a field of a string is nothing', 's.length', PEOPLE, undefined],
  ['an array input is one item', 'b', [{ b: 1 }, { b: 2 }], [1, 2]],
  ['$ and $$ of an array input', '[$, $$]', [1, 2], [1, 2, 1, 2]],
  ['index, negative index, index of an array item', '[a[0].b, a[-1].c, arr[0]]', PEOPLE, [1, 4, 1, 2]],
  ['filters by truth and by index list (a number is an index)', '[a[c = 4].c, a[[0, 2]].c, a[b].b]', PEOPLE, [4, 4]],
  ['filters over nothing', '[nope[0], nope[true], nope[x = 1]]', PEOPLE, []],
  ['a block step per item', 'a.(b ? b + 1 : "none")', { a: [{ b: 1 }, { b: 2 }, { c: 4 }] }, [2, 3, 'none']],
  ['an object step per item groups an array item', 'arr.{ "k": $ }', PEOPLE, [{ k: [1, 2] }, { k: 3 }]],
  ['an array constructor as last step is kept whole', 'a.[b, c]', PEOPLE, [[1], [2, 3], [4]]],
  ['an array constructor as first step', '[a[0], a[2]].(b ? b : c)', PEOPLE, [1, 4]],
  ['order-by ascending, missing keys last', 'a^(b).(b ? b : c)', { a: [{ b: 3 }, { c: 'no b' }, { b: 1 }] }, [1, 3, 'no b']],
  ['order-by descending, stable', 'a^(>k).v', { a: [{ k: 1, v: 'a' }, { k: 2, v: 'b' }, { k: 1, v: 'c' }] }, ['b', 'a', 'c']],
  ['order-by of mixed types fails', 'a^(k)', { a: [{ k: 1 }, { k: 'x' }] }],
  ['order-by of objects fails', 'a^(k)', { a: [{ k: {} }, { k: 1 }] }],
  // Constructors
  ['array constructors drop nothing and splice arrays', '[nope, arr, [s], e, n]', PEOPLE, [[1, 2], [3], ['text'], 0]],
  ['object constructors drop missing values', '{ "x": nope, "y": n, "z": e, "w": obj }', PEOPLE, { y: 0, z: [], w: { k: 'v' } }],
  ['dynamic keys', '{ s: 1, obj.k: 2 }', PEOPLE, { text: 1, v: 2 }],
  ['integer-like keys come first', '{ "b": 1, "2": 2, "a": 3, "1": 4 }', {}],
  ['the same key from two pairs fails', '{ "k": 1, "k": 2 }', {}],
  ['a non-string key fails', '{ n: 1 }', PEOPLE],
  ['a reserved key fails', '{ "_jsonata_lambda": 1 }', {}],
  // Operators
  ['= and != with a missing side are false', '[nope = 1, nope != 1, nope = nope]', PEOPLE, [false, false, false]],
  ['= compares deeply', '[{"x": [1, {"y": 2}]} = {"x": [1, {"y": 2}]}, [1, 2] = [2, 1], obj = {"k": "v"}]', PEOPLE, [true, false, true]],
  ['and/or give booleans, skip the right side', '[nope or "", [0, 1] and "x", false and $error("not evaluated"), s or $error("no")]', PEOPLE, [false, true, false, true]],
  ['& prints numbers, objects, nothing', '(0.1 + 0.2) & "|" & obj & "|" & nope & [1, "a"] & true', PEOPLE, '0.3|{"k":"v"}|[1,"a"]true'],
  ['comparisons with nothing are nothing', '[nope < 1, "a" < "b", 2 >= 2]', PEOPLE, [true, true]],
  ['comparing a number with a string fails', '1 < "2"', {}],
  ['comparing an object fails', 'obj < 1', PEOPLE],
  ['arithmetic', '[n + 1, 7 % 3, 1 / 4, nope * 2, -n]', PEOPLE, [1, 1, 0.25, -0]],
  ['arithmetic on a string fails', 's + 1', PEOPLE],
  ['negating a string fails', '-s', PEOPLE],
  ['in', '["a" in ["a", "b"], "c" in "c", nope in ["a"]]', {}, [true, true, false]],
  ['an error in the right side of and is marked by the and', 'true and $contains(1, "x")', {}],
  // Conditions with nothing, arrays, objects
  ['conditions', '[nope ? 1 : 2, nope ? 1, e ? 1 : 2, [0] ? 1 : 2, [0, ""] ? 1 : 2, [0, "x"] ? 1 : 2, {} ? 1 : 2, obj ? 1 : 2]', PEOPLE, [2, 2, 2, 2, 1, 2, 1]],
  ['?? and ?:', '[nope ?? "d", n ?? "d", s ?: "d", "" ?: "d"]', PEOPLE, ['d', 0, 'text', 'd']],
  // Blocks, :=, lambdas, tail calls
  ['a block has its own frame', '($x := 1; ($x := 2); $x)', {}, 1],
  ['a name not bound yet is looked up outside', '($x := 1; ($y := $x; $x := 2; $y))', {}, 1],
  ['a closure sees later bindings of its frame', '($f := function() { $y }; $y := 5; $f())', {}, 5],
  ['missing and extra arguments', '($f := function($a, $b) { [$a, $b] }; [$f(1), $f(1, 2, 3)])', {}, [1, 1, 2]],
  ['recursion', '($fact := function($n) { $n <= 1 ? 1 : $n * $fact($n - 1) }; $fact(10))', {}, 3628800],
  ['tail recursion', '($count := function($n, $acc) { $n = 0 ? $acc : $count($n - 1, $acc + 1) }; $count(200, 0))', {}, 200],
  ['a tail call takes its context from the applying site', '($f := function() { $string() }; a.$f())', { a: [1, 2] }, ['1', '2']],
  ['any other call from the defining site', '($g := function() { $string() & "" }; a.$g())', { a: [1, 2] }, ['{"a":[1,2]}', '{"a":[1,2]}']],
  ['a lambda signature is checked', '($f := function($x)<s:s> { $x }; $f(1))', {}],
  ['a binding over a built-in', '($count := function($x) { 42 }; $count([1]))', {}, 42],
  ['function values', '($r := /b/; [$type($r), $string($r), $boolean($r), $contains("abc", $r), $type($contains)])', {}, ['function', '', false, true, 'function']],
  ['invoking a non-function fails', '($x := 1; $x())', {}],
  // Built-ins of the subset
  ['$contains', '[$contains("abc", /B/i), $contains("abc", "d"), $contains(nope, "a"), $contains(s, nope)]', PEOPLE, [true, false]],
  ['$contains of a number fails', '$contains(n, /x/)', PEOPLE],
  ['$exists, $not, $boolean', '[$exists(nope), $exists(null), $not(nope), $not(e), $not(obj), $boolean([[]]), $boolean(0)]', PEOPLE, [false, true, true, false, false, false]],
  ['$string', '[$string(0.1 + 0.2), $string(obj), $string(nope), $string(1e21), $string("s"), $string(null), $string([1, 2], true)]', PEOPLE, ['0.3', '{"k":"v"}', '1e+21', 's', 'null', '[\n  1,\n  2\n]']],
  ['$number', '[$number("12"), $number("-1.5e2"), $number("0x1F"), $number(true), $number(nope)]', PEOPLE, [12, -150, 31, 1]],
  ['$number of a word fails', '$number("abc")', {}],
  ['string functions count code points', '[$length("añ👩🏽"), $substring("héllo👩🏽", 1, 3), $substring("hello", -3), $substring("hello", 1, 0), $substringBefore("a|b", "|"), $substringAfter("a|b", "|"), $substringAfter("ab", "|")]', {}, [4, 'éll', 'llo', '', 'a', 'b', 'ab']],
  ['$trim, $lowercase, $uppercase, $join', '[$trim("  a \t\n b  "), $lowercase("ÀB"), $uppercase("àb"), $join(["a", "b"], "-"), $join("a")]', {}, ['a b', 'àb', 'ÀB', 'a-b', 'a']],
  ['context arguments', 'a.$string()', { a: [1, 'x'] }, ['1', 'x']],
  ['a context of the wrong type fails', 'a.$uppercase()', { a: [1] }],
  ['$lookup', '[$lookup(obj, "k"), $lookup([{"k": 1}, {"k": [2, 3]}], "k"), $lookup(obj, "nope")]', PEOPLE, ['v', 1, 2, 3]],
  ['a predicate filters a function\'s result before it is unwrapped', '[$lookup(x, "k")[0], $lookup(x, "k")]', { x: [{ k: [[1, 2]] }] }, [1, 2, 1, 2]],
  ['$count', '[$count(nope), $count("x"), $count(a), $count(e)]', PEOPLE, [0, 1, 3, 0]],
  ['$type', '[$type(nope), $type(null), $type(1), $type("s"), $type(true), $type(e), $type(obj)]', PEOPLE, ['null', 'number', 'string', 'boolean', 'array', 'object']],
  ['$encodeUrlComponent', '$encodeUrlComponent("a b/ü?")', {}, 'a%20b%2F%C3%BC%3F'],
  ['$encodeUrlComponent of a lone surrogate fails', '$encodeUrlComponent(s)', { s: '\ud800' }],
  ['$error with a message', '$error("the record is refused")', {}],
  ['$error without one', '$error()', {}],
  ['a built-in with a wrong argument type fails', '$substring(s, "x")', PEOPLE],
  // Custom functions
  ['a custom function gets the arguments as evaluated', '[$echo(a.b), $echo(one.b), $echo(nope)]', PEOPLE, [1, 2, 3, 'x']],
  ['a custom generator function gives its first value', '$firstOf(s)', PEOPLE, 'text'],
  ['a custom function that throws', '$fail()', {}],
  ['a custom function gets function arguments wrapped', '$type($echo(function() { 1 }))', {}, 'function'],
  // Input quirks
  ['a field named like a prototype member', '[constructor, toString, length]', { length: 2 }, [2]],
  ['an object flagged as a lambda is a function: false, and no fields', '[x ? 1 : 2, x.y, "" & x]', { x: { _jsonata_lambda: true, y: 1 } }, [2, '']],
  ['passing one to a function fails as in the interpreter', '$type(x)', { x: { _jsonata_lambda: true } }],
  ['a 100 KB string', '$length($trim(s))', { s: `${'x'.repeat(100_000)}  ` }, 100_000],
];

test.each(rows)('%s: %s', async (_title, expression, input, ...expected) => {
  const r = await bothEngines(expression, input);
  expect(r.compiled).not.toBe('not compiled');
  expect(r.compiled).toStrictEqual(r.interpreter);
  expect(identical(r)).toBe(true);
  if (expected.length > 0) expect(plain(r.interpreter)).toEqual({ value: expected[0] });
});

test('an error reads the same on both engines', async () => {
  const r = await bothEngines('$contains(n, /x/)', PEOPLE);
  expect(r.compiled).toEqual({ error: { kind: 'object', code: 'T0410', message: 'Argument 1 of function "contains" does not match function signature' } });
  expect(r.compiled).toEqual(r.interpreter);
});

test('$settings and other bindings', async () => {
  const r = await bothEngines('{ "system": $settings.system, "others": $settings.list[1] }', {}, { settings: { system: 'urn:x', list: ['a', 'b'] } });
  expect(r.compiled).toStrictEqual({ value: expect.objectContaining({ system: 'urn:x', others: 'b' }) });
  expect(identical(r)).toBe(true);
});
