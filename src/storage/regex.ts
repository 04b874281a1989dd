/**
 * Literal text in MongoDB filters: escaped for a `$regex`, or, for "starts with", an index range.
 *
 * Why a range for prefixes: MongoDB turns an anchored literal regex into the same tight index
 * bounds, but the local stand-in does not (measured on 30,000 records: a PDQm family + given +
 * birthdate search took 55 ms with two prefix regexes, 10 ms with the same conditions as ranges).
 */
import type { Document } from 'mongodb';

/**
 * Escape every regular-expression metacharacter, so a caller's text can only ever match itself
 * inside a `$regex` (prefix searches build `^${escapeRegex(text)}`).
 * @param s - literal text
 */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\\-/]/g, '\\$&');
}

/**
 * The strings that start with `prefix`, as a range [prefix, successor): its last character
 * replaced by the next one. In code point order (BSON's binary order of UTF-8, JavaScript's for
 * characters outside the surrogates) a string lies in that range exactly when it starts with
 * `prefix`. Null when that does not hold simply: an empty prefix, or one ending in a surrogate or
 * in U+FFFF.
 * @param prefix - literal text
 */
export function prefixRange(prefix: string): { $gte: string; $lt: string } | null {
  const last = prefix.charCodeAt(prefix.length - 1);
  if (prefix.length === 0 || (last >= 0xd800 && last <= 0xdfff) || last === 0xffff) return null;
  return { $gte: prefix, $lt: `${prefix.slice(0, -1)}${String.fromCharCode(last + 1)}` };
}

/** "Starts with `prefix`" as an anchored literal regex (where no range says it exactly). */
const anchored = (prefix: string): Document => ({ $regex: `^${escapeRegex(prefix)}` });

/**
 * "Starts with `prefix`" on a string field.
 * @param prefix - literal text
 */
export function startsWith(prefix: string): Document {
  return prefixRange(prefix) ?? anchored(prefix);
}

/**
 * "One element starts with `prefix`" on an array-of-strings field: the range inside `$elemMatch`,
 * since two bounds on an array without it may be met by two different elements.
 * @param prefix - literal text
 */
export function elementStartsWith(prefix: string): Document {
  const range = prefixRange(prefix);
  return range ? { $elemMatch: range } : anchored(prefix);
}
