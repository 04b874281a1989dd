/**
 * The JSONata built-in functions of the compiled subset: jsonata 2.x's implementations (functions.js)
 * ported and made synchronous, each checked against jsonata's own signature validator, taken from its
 * parser (a lambda declared with the same signature), so argument errors are the interpreter's.
 * Every other built-in name keeps a mapping on the interpreter (see BUILTIN_NAMES).
 */
import jsonata from 'jsonata';
import { NeedsInterpreter, raise } from './errors';
import { applyFunction } from './scope';
import type { NativeFunction, Signature } from './scope';
import { isFunction, isNumeric, lookup, stringToArray, stringify, toBoolean } from './values';

/** Every function name JSONata 2.x binds in its static frame, plus $now and $millis. */
export const BUILTIN_NAMES: ReadonlySet<string> = new Set([
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter', 'lowercase',
  'uppercase', 'length', 'trim', 'pad', 'match', 'contains', 'replace', 'split', 'join', 'formatNumber', 'formatBase',
  'formatInteger', 'parseInteger', 'number', 'floor', 'ceil', 'round', 'abs', 'sqrt', 'power', 'random', 'boolean',
  'not', 'map', 'zip', 'filter', 'single', 'reduce', 'sift', 'keys', 'lookup', 'append', 'exists', 'spread', 'merge',
  'reverse', 'each', 'error', 'assert', 'type', 'sort', 'shuffle', 'distinct', 'base64encode', 'base64decode',
  'encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent', 'decodeUrl', 'eval', 'toMillis', 'fromMillis', 'clone',
  'now', 'millis',
]);

/** jsonata's validator for a signature such as `<s-(sf):b>`. */
function signature(definition: string): Signature {
  return (jsonata(`function($a)${definition}{$a}`).ast() as unknown as { signature: Signature }).signature;
}

const undefinedIn = (...args: unknown[]): boolean => args.some((a) => a === undefined);

function substring(str: string | undefined, start: number, length?: number): string | undefined {
  if (str === undefined) return undefined;
  const chars = stringToArray(str);
  const from = chars.length + start < 0 ? 0 : start;
  if (length === undefined) return chars.slice(from).join('');
  if (length <= 0) return '';
  const end = from >= 0 ? from + length : chars.length + from + length;
  return chars.slice(from, end).join('');
}

function trim(str: string | undefined): string | undefined {
  if (str === undefined) return undefined;
  let result = str.replace(/[ \t\n\r]+/gm, ' ');
  if (result.charAt(0) === ' ') result = result.substring(1);
  if (result.charAt(result.length - 1) === ' ') result = result.substring(0, result.length - 1);
  return result;
}

/** $contains with a matcher function: it must answer a match structure or undefined (evaluateMatcher). */
function contains(str: string | undefined, token: unknown): boolean | undefined {
  if (undefinedIn(str, token)) return undefined;
  if (typeof token === 'string') return (str as string).includes(token);
  // The interpreter calls the matcher's own `apply`: a built-in passed unwrapped (a tail call) has none.
  if (typeof token !== 'function' && !(token as { _jsonata_lambda?: unknown })._jsonata_lambda) throw new NeedsInterpreter('$contains with a built-in as matcher');
  const match = applyFunction(token, [str], undefined) as { start?: unknown; end?: unknown; groups?: unknown; next?: unknown } | undefined;
  if (match && !(typeof match.start === 'number' || match.end === 'number' || Array.isArray(match.groups) || isFunction(match.next))) {
    raise('T1010');
  }
  return match !== undefined;
}

function toNumber(arg: unknown): number | undefined {
  if (arg === undefined) return undefined;
  if (typeof arg === 'number') return arg;
  if (typeof arg === 'string' && /^-?[0-9]+(\.[0-9]+)?([Ee][-+]?[0-9]+)?$/.test(arg) && !isNaN(parseFloat(arg)) && isFinite(arg as unknown as number)) return parseFloat(arg);
  if (typeof arg === 'string' && /^(0[xX][0-9A-Fa-f]+)|(0[oO][0-7]+)|(0[bB][0-1]+)$/.test(arg)) return Number(arg);
  if (arg === true) return 1;
  if (arg === false) return 0;
  raise('D3030', { value: arg, index: 1 });
}

function typeOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (value === null) return 'null';
  if (isNumeric(value)) return 'number';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (Array.isArray(value)) return 'array';
  return isFunction(value) ? 'function' : 'object';
}

function encodeUrlComponent(str: string | undefined): string | undefined {
  if (str === undefined) return undefined;
  try {
    return encodeURIComponent(str);
  } catch {
    raise('D3140', { value: str, functionName: 'encodeUrlComponent' });
  }
}

// Only the implementations: signatures as JSONata declares them (jsonata.js `staticFrame.bind`).
const IMPLEMENTATIONS: Record<string, [string, (...args: never[]) => unknown]> = {
  count: ['<a:n>', (args?: unknown[]) => (args === undefined ? 0 : args.length)],
  string: ['<x-b?:s>', (arg: unknown, prettify?: boolean) => stringify(arg, prettify)],
  substring: ['<s-nn?:s>', substring],
  substringBefore: ['<s-s:s>', (str?: string, chars?: string) => (str === undefined ? undefined : str.indexOf(chars as string) > -1 ? str.substr(0, str.indexOf(chars as string)) : str)],
  substringAfter: ['<s-s:s>', (str?: string, chars?: string) => (str === undefined ? undefined : str.indexOf(chars as string) > -1 ? str.substr(str.indexOf(chars as string) + (chars as string).length) : str)],
  lowercase: ['<s-:s>', (str?: string) => str?.toLowerCase()],
  uppercase: ['<s-:s>', (str?: string) => str?.toUpperCase()],
  length: ['<s-:n>', (str?: string) => (str === undefined ? undefined : stringToArray(str).length)],
  trim: ['<s-:s>', trim],
  contains: ['<s-(sf):b>', contains],
  join: ['<a<s>s?:s>', (strs?: string[], separator?: string) => strs?.join(separator ?? '')],
  number: ['<(nsb)-:n>', toNumber],
  boolean: ['<x-:b>', toBoolean],
  not: ['<x-:b>', (arg: unknown) => (arg === undefined ? undefined : !toBoolean(arg))],
  lookup: ['<x-s:x>', (input: unknown, key: string) => lookup(input, key)],
  exists: ['<x:b>', (arg: unknown) => arg !== undefined],
  error: ['<s?:x>', (message?: string) => {
    raise('D3137', { message: message || '$error() function evaluated' });
  }],
  type: ['<x:s>', typeOf],
  encodeUrlComponent: ['<s-:s>', encodeUrlComponent],
};

/** The built-ins of the compiled subset, in the interpreter's function shape, by name. */
export const BUILTINS: ReadonlyMap<string, NativeFunction> = new Map(
  Object.entries(IMPLEMENTATIONS).map(([name, [sig, implementation]]) => [name, { _jsonata_function: true, implementation: implementation as (...args: unknown[]) => unknown, signature: signature(sig) }]),
);
