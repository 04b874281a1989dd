/**
 * JSONata's value model, as the jsonata 2.x interpreter implements it (jsonata.js `utils`,
 * `createSequence`, `fn.boolean`, `fn.string`, `fn.lookup`, `fn.append`), ported line for line and
 * made synchronous. The compiled mappings must return exactly what the interpreter returns, so the
 * quirks are kept on purpose: a sequence is an array carrying an enumerable `sequence: true`, a
 * singleton sequence collapses to its item, an array built by a path constructor is flagged `cons` so
 * that paths do not flatten it.
 */
import { raise } from './errors';

/** An array as JSONata's evaluator marks it. */
export type Sequence = unknown[] & { sequence?: boolean; keepSingleton?: boolean; outerWrapper?: boolean; cons?: boolean };

/** An empty sequence (`createSequence()`). */
export function emptySequence(): Sequence {
  const s: Sequence = [];
  s.sequence = true;
  return s;
}

/**
 * A sequence of one item, even `undefined` (`createSequence(item)` pushes whatever it is given).
 * @param item - the item
 */
export function sequenceOf(item: unknown): Sequence {
  const s: Sequence = [item];
  s.sequence = true;
  return s;
}

/**
 * True for an array the evaluator made (utils.isSequence).
 * @param value - any value
 */
export function isSequence(value: unknown): value is Sequence {
  return Array.isArray(value) && (value as Sequence).sequence === true;
}

/**
 * What `evaluate()` does to every node's result: an empty sequence is nothing, a singleton sequence
 * is its item (unless a `[]` asked to keep it).
 * @param result - a node's raw result
 */
export function settle(result: unknown): unknown {
  if (!result || !isSequence(result)) return result;
  if (result.length === 0) return undefined;
  if (result.length === 1) return result.keepSingleton ? result : result[0];
  return result;
}

/**
 * `settle`, or nothing when the node has predicates: `evaluate()` filters a node's raw result first
 * and unwraps after (a singleton sequence holding an array filters differently from that array).
 * @param unwrap - whether the node's own result is unwrapped here
 */
export function finisher(unwrap: boolean): (result: unknown) => unknown {
  return unwrap ? settle : (result) => result;
}

/**
 * A JSONata function value: a built-in or registered function, a lambda, or a plain JS function
 * (regex matchers, wrapped arguments) (utils.isFunction).
 * @param arg - any value
 */
export function isFunction(arg: unknown): boolean {
  if (typeof arg === 'function') return true;
  const o = arg as { _jsonata_function?: unknown; _jsonata_lambda?: unknown } | null | undefined;
  return !!o && (o._jsonata_function === true || o._jsonata_lambda === true);
}

/**
 * A finite number; throws D1001 on an infinity, as the interpreter does wherever it asks.
 * @param n - any value
 */
export function isNumeric(n: unknown): n is number {
  if (typeof n !== 'number' || Number.isNaN(n)) return false;
  if (!Number.isFinite(n)) raise('D1001', { value: n });
  return true;
}

/**
 * True for an array whose items are all numbers (empty arrays included).
 * @param arg - any value
 */
export function isArrayOfNumbers(arg: unknown): boolean {
  return Array.isArray(arg) && arg.filter((item) => !isNumeric(item)).length === 0;
}

/**
 * True for an array of strings only.
 * @param arg - any value
 */
export function isArrayOfStrings(arg: unknown): boolean {
  return Array.isArray(arg) && arg.filter((item) => typeof item !== 'string').length === 0;
}

/**
 * JSONata's effective boolean value (fn.boolean): undefined stays undefined.
 * @param arg - any value
 */
export function toBoolean(arg: unknown): boolean | undefined {
  if (arg === undefined) return undefined;
  if (Array.isArray(arg)) {
    if (arg.length === 1) return toBoolean(arg[0]);
    return arg.length > 1 && arg.filter((v) => toBoolean(v)).length > 0;
  }
  if (typeof arg === 'string') return arg.length > 0;
  if (isNumeric(arg)) return arg !== 0;
  if (arg !== null && typeof arg === 'object' && !isFunction(arg)) return Object.keys(arg).length > 0;
  return arg === true;
}

/**
 * Deep equality of `=` and `!=` (utils.isDeepEqual): arrays by items, objects by own property names.
 * @param lhs - left value
 * @param rhs - right value
 */
export function isDeepEqual(lhs: unknown, rhs: unknown): boolean {
  if (lhs === rhs) return true;
  if (typeof lhs !== 'object' || typeof rhs !== 'object' || lhs === null || rhs === null) return false;
  // Index loops, not every(): every() skips holes, the interpreter's loops do not.
  if (Array.isArray(lhs) && Array.isArray(rhs)) {
    if (lhs.length !== rhs.length) return false;
    for (let i = 0; i < lhs.length; i++) if (!isDeepEqual(lhs[i], rhs[i])) return false;
    return true;
  }
  const lkeys = Object.getOwnPropertyNames(lhs).sort();
  const rkeys = Object.getOwnPropertyNames(rhs).sort();
  if (lkeys.length !== rkeys.length) return false;
  for (let i = 0; i < lkeys.length; i++) if (lkeys[i] !== rkeys[i]) return false;
  for (const k of lkeys) if (!isDeepEqual((lhs as Record<string, unknown>)[k], (rhs as Record<string, unknown>)[k])) return false;
  return true;
}

/**
 * The value of a field (fn.lookup): over an array, every item's value, arrays flattened one level.
 * @param input - object, array or anything else
 * @param key - the field name
 */
export function lookup(input: unknown, key: string): unknown {
  if (Array.isArray(input)) {
    const result = emptySequence();
    for (let i = 0; i < input.length; i++) {
      const res = lookup(input[i], key);
      if (res === undefined) continue;
      if (Array.isArray(res)) res.forEach((v) => result.push(v));
      else result.push(res);
    }
    return result;
  }
  if (input !== null && typeof input === 'object' && Object.prototype.hasOwnProperty.call(input, key) && !isFunction(input)) {
    return (input as Record<string, unknown>)[key];
  }
  return undefined;
}

/**
 * fn.append: both sides as one array (undefined sides disregarded); the result is a plain array.
 * @param arg1 - first value
 * @param arg2 - second value
 */
export function append(arg1: unknown, arg2: unknown): unknown {
  if (arg1 === undefined) return arg2;
  if (arg2 === undefined) return arg1;
  const left = Array.isArray(arg1) ? arg1 : sequenceOf(arg1);
  return left.concat(Array.isArray(arg2) ? arg2 : [arg2]);
}

/**
 * A string as a list of code points (utils.stringToArray), for $length and $substring.
 * @param str - a string
 */
export function stringToArray(str: string): string[] {
  return Array.from(str);
}

/**
 * fn.string: a value as JSONata prints it (numbers to 15 significant digits, functions as '').
 * @param arg - any value
 * @param prettify - indent JSON by two spaces
 */
export function stringify(arg: unknown, prettify = false): string | undefined {
  if (arg === undefined) return undefined;
  if (typeof arg === 'string') return arg;
  if (isFunction(arg)) return '';
  if (typeof arg === 'number' && !Number.isFinite(arg)) raise('D3001', { value: arg });
  const value = Array.isArray(arg) && (arg as Sequence).outerWrapper ? arg[0] : arg;
  return JSON.stringify(value, (_key, val: unknown) => {
    if (val !== undefined && val !== null && isNumeric(val)) return !Number.isInteger(val) ? Number(val.toPrecision(15)) : val;
    return val && isFunction(val) ? '' : val;
  }, prettify ? 2 : 0);
}
