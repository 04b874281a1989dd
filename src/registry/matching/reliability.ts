/**
 * Identifier reliability, learned from the data rather than configured per data set: per system,
 * whether nearly every value passes a check digit, and how often the values of two records that
 * agree on everything else differ. A system is unreliable only on evidence — no check digit, and a
 * conflict rate whose 95 % lower bound exceeds 1 %, which would send more than one true pair in a
 * hundred to review under the hard rule; without enough pairs the hard rule stays.
 */
import { CHECK_DIGITS, checkDigitBit } from './check-digits';
import type { IdentifierReliability } from './contract';
import { withinOneEdit } from './jaro-winkler';
import type { IdPart, Prepared } from './prepare';

/** Share of a system's values that must pass one algorithm for the system to count as check-digited. */
const CHECK_SHARE = 0.9;
/** Fewest distinct values before a check digit is claimed. */
const MIN_VALUES = 50;
/** Fewest confident pairs before a system can be judged unreliable. */
const MIN_PAIRS = 20;
/** Conflict rate above which (95 % lower bound) a system is unreliable. */
const MAX_CONFLICT_RATE = 0.01;

type Counts = Omit<IdentifierReliability, 'reliable'>;

function idsOf(r: Prepared): IdPart[] {
  return r.otherIds.length === 0 ? r.nationalIds : [...r.nationalIds, ...r.otherIds];
}

/**
 * Per system: distinct values and the check-digit algorithm nearly all of them pass.
 * @param records - prepared records
 * @returns counts per system
 */
export function checkDigitsBySystem(records: Prepared[]): Map<string, Counts> {
  const values = new Map<string, Map<string, number>>();
  for (const r of records) {
    for (const id of idsOf(r)) {
      const seen = values.get(id.system) ?? new Map<string, number>();
      seen.set(id.value, id.checks);
      values.set(id.system, seen);
    }
  }
  const out = new Map<string, Counts>();
  for (const [system, seen] of values) {
    const counts: Counts = { values: seen.size, pairs: 0, agree: 0, typo: 0, conflict: 0 };
    const best = CHECK_DIGITS.find((a) => [...seen.values()].filter((m) => (m & checkDigitBit(a)) !== 0).length >= CHECK_SHARE * seen.size);
    if (best && seen.size >= MIN_VALUES) counts.checkDigit = best;
    out.set(system, counts);
  }
  return out;
}

/**
 * Whether two values of a system are a typo of each other: one edit apart, or one of them fails the
 * system's check digit (a mistyped value, not another person's number).
 * @param x - first value
 * @param y - second value
 * @param bit - the system's check-digit bit (0: none)
 */
export function typoOf(x: IdPart, y: IdPart, bit: number): boolean {
  return withinOneEdit(x.value, y.value) || (bit !== 0 && ((x.checks & bit) === 0 || (y.checks & bit) === 0));
}

/**
 * Count, for one confident pair, how each shared system's values compare.
 * @param a - first record
 * @param b - second record
 * @param systems - per-system counts (updated)
 */
export function countPair(a: Prepared, b: Prepared, systems: Map<string, Counts>): void {
  for (const x of idsOf(a)) {
    const stats = systems.get(x.system);
    const others = idsOf(b).filter((y) => y.system === x.system);
    if (!stats || others.length === 0) continue;
    stats.pairs++;
    const bit = stats.checkDigit ? checkDigitBit(stats.checkDigit) : 0;
    if (others.some((y) => y.value === x.value)) stats.agree++;
    else if (others.some((y) => typoOf(x, y, bit))) stats.typo++;
    else stats.conflict++;
  }
}

/** Lower bound of the Wilson 95 % interval of a proportion. */
function wilsonLower(k: number, n: number): number {
  if (n === 0) return 0;
  const z = 1.96;
  const p = k / n;
  const centre = p + (z * z) / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return Math.max(0, (centre - spread) / (1 + (z * z) / n));
}

/**
 * The verdict per system.
 * @param systems - per-system counts
 * @returns the reliability record per system
 */
export function judge(systems: Map<string, Counts>): Record<string, IdentifierReliability> {
  const out: Record<string, IdentifierReliability> = {};
  for (const [system, c] of [...systems].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const unreliable = c.checkDigit === undefined && c.pairs >= MIN_PAIRS && wilsonLower(c.conflict, c.pairs) > MAX_CONFLICT_RATE;
    out[system] = { ...c, reliable: !unreliable };
  }
  return out;
}
