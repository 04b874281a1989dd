/**
 * Jaro-Winkler similarity, written for speed: flags live in module-level buffers reused across
 * calls (no allocation per pair) and strings are compared by UTF-16 code unit, so non-Latin
 * scripts work as well as Latin ones.
 */

const MAX_LEN = 256;
const flagsA = new Uint8Array(MAX_LEN);
const flagsB = new Uint8Array(MAX_LEN);

/**
 * Jaro similarity of two strings (0..1); 1 for two equal strings, 0 when either is empty.
 * @param a - first string (only its first 256 code units are used)
 * @param b - second string
 * @returns the Jaro similarity
 */
export function jaro(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 0 : 1;
  const la = Math.min(a.length, MAX_LEN);
  const lb = Math.min(b.length, MAX_LEN);
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  flagsA.fill(0, 0, la);
  flagsB.fill(0, 0, lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = i > window ? i - window : 0;
    const hi = Math.min(i + window + 1, lb);
    const c = a.charCodeAt(i);
    for (let j = lo; j < hi; j++) {
      if (flagsB[j] === 0 && b.charCodeAt(j) === c) {
        flagsA[i] = 1;
        flagsB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let k = 0;
  let transpositions = 0;
  for (let i = 0; i < la; i++) {
    if (flagsA[i] === 0) continue;
    while (flagsB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  const m = matches;
  return (m / la + m / lb + (m - transpositions / 2) / m) / 3;
}

/**
 * Jaro-Winkler similarity with the standard prefix scale 0.1 over at most 4 characters, applied
 * when the Jaro similarity exceeds 0.7 (MARTHA/MARHTA 0.9611, DWAYNE/DUANE 0.84, DIXON/DICKSONX 0.8133).
 * @param a - first string
 * @param b - second string
 * @returns similarity in 0..1
 */
export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j <= 0.7) return j;
  const max = Math.min(4, a.length, b.length);
  let prefix = 0;
  while (prefix < max && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * 0.1 * (1 - j);
}

/**
 * Whether two strings are at most one edit apart (substitution, insertion, deletion or adjacent
 * transposition) — the typo test used for codes, phone numbers and identifiers. Allocation-free.
 * @param a - first string
 * @param b - second string
 * @returns true when the optimal-string-alignment distance is ≤ 1
 */
export function withinOneEdit(a: string, b: string): boolean {
  const la = a.length;
  const lb = b.length;
  if (la - lb > 1 || lb - la > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === la && i === lb) return true;
  if (la > lb) return tailEqual(a, b, i + 1, i);
  if (lb > la) return tailEqual(a, b, i, i + 1);
  if (tailEqual(a, b, i + 1, i + 1)) return true;
  return a.charCodeAt(i) === b.charCodeAt(i + 1) && a.charCodeAt(i + 1) === b.charCodeAt(i) && tailEqual(a, b, i + 2, i + 2);
}

/** Whether a from x and b from y are equal to the end (same remaining length required). */
function tailEqual(a: string, b: string, x: number, y: number): boolean {
  if (a.length - x !== b.length - y) return false;
  while (x < a.length) if (a.charCodeAt(x++) !== b.charCodeAt(y++)) return false;
  return true;
}

/**
 * A 32-bit character-class mask of a string (A–Z one bit each, anything else folded into 6 bits),
 * precomputed per value so jwUpperBound can rule pairs out without running Jaro.
 * @param s - the string
 * @returns the mask
 */
export function charMask(s: string): number {
  let m = 0;
  for (let i = 0; i < s.length; i++) m |= 1 << charBit(s.charCodeAt(i));
  return m;
}

function charBit(c: number): number {
  return c >= 65 && c <= 90 ? c - 65 : 26 + (c % 6);
}

/**
 * An upper bound on Jaro-Winkler from the characters the two strings can possibly share: Jaro
 * matches cannot exceed the positions whose character class occurs in both. Cheap (one pass over
 * each string, no window), so the full comparison runs only when a threshold is reachable.
 * @param a - first string
 * @param b - second string
 * @param maskA - charMask(a)
 * @param maskB - charMask(b)
 * @returns a value ≥ jaroWinkler(a, b)
 */
export function jwUpperBound(a: string, b: string, maskA: number, maskB: number): number {
  const common = maskA & maskB;
  let ca = 0;
  let cb = 0;
  for (let i = 0; i < a.length; i++) if (common & (1 << charBit(a.charCodeAt(i)))) ca++;
  for (let i = 0; i < b.length; i++) if (common & (1 << charBit(b.charCodeAt(i)))) cb++;
  const m = Math.min(ca, cb);
  if (m === 0) return 0;
  const j = (m / a.length + m / b.length + 1) / 3;
  return j <= 0.7 ? j : j + 0.4 * (1 - j);
}
