/**
 * Check-digit algorithms that identifier systems use, run over a value's digits. Training finds
 * which one (if any) nearly every value of a system passes; such a system is reliable (a typed value
 * that fails its check is a typo, not another person's number).
 */

/** The algorithms, each a bit of `checkDigitMask`. */
export const CHECK_DIGITS = ['luhn', 'verhoeff', 'damm', 'mod11-2', 'mod97-10'] as const;
export type CheckDigit = (typeof CHECK_DIGITS)[number];

/** Fewer digits than this and no check is claimed (too many short values pass by chance). */
const MIN_DIGITS = 6;

const VERHOEFF_D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 7, 0, 6, 8], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 8, 5],
];
const DAMM = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2], [7, 0, 9, 2, 1, 5, 4, 8, 6, 3], [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6], [6, 1, 2, 3, 0, 4, 5, 9, 7, 8], [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4], [8, 9, 4, 5, 3, 6, 2, 0, 1, 7], [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

function luhn(d: string): boolean {
  let sum = 0;
  for (let i = 0; i < d.length; i++) {
    let x = d.charCodeAt(d.length - 1 - i) - 48;
    if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
    sum += x;
  }
  return sum % 10 === 0;
}

function verhoeff(d: string): boolean {
  let c = 0;
  for (let i = 0; i < d.length; i++) c = VERHOEFF_D[c]![VERHOEFF_P[i % 8]![d.charCodeAt(d.length - 1 - i) - 48]!]!;
  return c === 0;
}

function damm(d: string): boolean {
  let c = 0;
  for (let i = 0; i < d.length; i++) c = DAMM[c]![d.charCodeAt(i) - 48]!;
  return c === 0;
}

/** ISO 7064 MOD 11-2: the last character is the check, a digit or X (10). */
function mod112(value: string, digits: string): boolean {
  const x = value.endsWith('X');
  const body = x ? digits : digits.slice(0, -1);
  const check = x ? 10 : digits.charCodeAt(digits.length - 1) - 48;
  let p = 0;
  for (let i = 0; i < body.length; i++) p = ((p + body.charCodeAt(i) - 48) * 2) % 11;
  return (12 - p) % 11 === check;
}

/** ISO 7064 MOD 97-10 (as IBAN check digits): the number mod 97 is 1. */
function mod97(d: string): boolean {
  let r = 0;
  for (let i = 0; i < d.length; i++) r = (r * 10 + d.charCodeAt(i) - 48) % 97;
  return r === 1;
}

/**
 * Which check-digit algorithms a value passes, as a bit mask in CHECK_DIGITS order (0 when it has
 * fewer than 6 digits).
 * @param value - a normalised identifier value (upper case, letters and digits)
 * @returns the mask
 */
export function checkDigitMask(value: string): number {
  const digits = value.replace(/[^0-9]/g, '');
  if (digits.length < MIN_DIGITS) return 0;
  return (luhn(digits) ? 1 : 0) | (verhoeff(digits) ? 2 : 0) | (damm(digits) ? 4 : 0) |
    (mod112(value, digits) ? 8 : 0) | (mod97(digits) ? 16 : 0);
}

/**
 * The bit of an algorithm in checkDigitMask.
 * @param algorithm - the algorithm
 */
export function checkDigitBit(algorithm: CheckDigit): number {
  return 1 << CHECK_DIGITS.indexOf(algorithm);
}

/**
 * Append a check digit so the value passes the algorithm (used by the population generator).
 * @param digits - the digits without their check digit
 * @param algorithm - luhn, verhoeff or damm
 * @returns digits followed by the check digit
 */
export function withCheckDigit(digits: string, algorithm: 'luhn' | 'verhoeff' | 'damm'): string {
  const test = algorithm === 'luhn' ? luhn : algorithm === 'verhoeff' ? verhoeff : damm;
  for (let c = 0; c <= 9; c++) if (test(digits + String(c))) return digits + String(c);
  throw new Error('no check digit found');
}
