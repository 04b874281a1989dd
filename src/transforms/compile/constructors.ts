/**
 * Array `[…]` and object `{…}` constructors, compiled from the interpreter's evaluateUnary and
 * evaluateGroupExpression. An array drops missing items and splices array items in (a nested `[…]`
 * stays one item); an object drops missing values. An object constructor groups its context: over an
 * array context, items giving the same key are appended and the value is evaluated once over them.
 * Objects are made without a prototype, as the interpreter makes them.
 */
import { ORDINARY } from './ast';
import type { AstNode, Compiler } from './ast';
import { NeedsInterpreter, raise } from './errors';
import type { Evaluator, Frame } from './scope';
import { append, sequenceOf } from './values';
import type { Sequence } from './values';

/** Array items and object values are evaluated concurrently by the interpreter (Promise.all). */
const MEMBER = { ...ORDINARY, inMember: true };

/**
 * Compile an array constructor.
 * @param node - the `[` node
 * @param c - the compiler
 */
export function compileArray(node: AstNode, c: Compiler): Evaluator {
  // `item.value === '['` is the interpreter's own test (a string literal "[" passes it too, harmlessly).
  const items = (node.expressions ?? []).map((e) => ({ evaluate: c.compile(e, MEMBER), nested: e.value === '[' }));
  const cons = node.consarray === true;
  return (input, env) => {
    const result: Sequence = [];
    for (const item of items) {
      const v = item.evaluate(input, env);
      if (v === undefined) continue;
      if (item.nested || !Array.isArray(v)) result.push(v);
      else for (let i = 0; i < v.length; i++) result.push(v[i]);
    }
    if (cons) Object.defineProperty(result, 'cons', { enumerable: false, configurable: false, value: true });
    return result;
  };
}

interface Pair {
  key: Evaluator;
  value: Evaluator;
}

interface Group {
  data: unknown;
  exprIndex: number;
}

function groupKey(key: unknown, node: AstNode): string | undefined {
  if (typeof key !== 'string' && key !== undefined) raise('T1003', { position: node.position, value: key });
  if (key === '_jsonata_lambda' || key === '_jsonata_function') raise('D1013', { position: node.position, value: key });
  return key;
}

/** Group the context's items by the keys they give (the general form). */
function groups(pairs: Pair[], node: AstNode, input: unknown, env: Frame): Record<string, Group> {
  const items: unknown[] = Array.isArray(input) ? input : sequenceOf(input);
  // Over an empty context array the interpreter pushes `undefined` into that very array, which other
  // members of an enclosing constructor, evaluated concurrently, may or may not see yet.
  if (items.length === 0) throw new NeedsInterpreter('an object constructor over an empty array');
  const byKey = Object.create(null) as Record<string, Group>;
  for (const item of items) {
    pairs.forEach((pair, exprIndex) => {
      const key = groupKey(pair.key(item, env), node);
      if (key === undefined) return;
      const group = byKey[key];
      if (group === undefined) byKey[key] = { data: item, exprIndex };
      else if (group.exprIndex !== exprIndex) raise('D1009', { position: node.position, value: key });
      else group.data = append(group.data, item);
    });
  }
  return byKey;
}

/**
 * Compile an object constructor.
 * @param node - the `{` node
 * @param c - the compiler
 */
export function compileObject(node: AstNode, c: Compiler): Evaluator {
  const source = (node.lhs ?? []) as Array<[AstNode, AstNode]>;
  const pairs: Pair[] = source.map(([k, v]) => ({ key: c.compile(k), value: c.compile(v, MEMBER) }));
  const literalKeys = source.map(([k]) => (k.type === 'string' ? (k.value as string) : undefined));
  // Distinct literal keys over a single (non-array) context: one group per pair, in pair order.
  const direct = literalKeys.every((k) => k !== undefined && k !== '_jsonata_lambda' && k !== '_jsonata_function')
    && new Set(literalKeys).size === literalKeys.length;
  return (input, env) => {
    const result = Object.create(null) as Record<string, unknown>;
    if (direct && !Array.isArray(input)) {
      for (let i = 0; i < pairs.length; i++) {
        const v = (pairs[i] as Pair).value(input, env);
        if (v !== undefined) result[literalKeys[i] as string] = v;
      }
      return result;
    }
    const byKey = groups(pairs, node, input, env);
    for (const key of Object.keys(byKey)) {
      const group = byKey[key] as Group;
      const v = (pairs[group.exprIndex] as Pair).value(group.data, env);
      if (v !== undefined) result[key] = v;
    }
    return result;
  };
}
