/**
 * Anchor pairs: blocked pairs whose records share the value of a person identifier (national ID,
 * passport, programme number). They are the same person whatever their names say, so among them
 * the given-name comparison shows how often one person's records disagree on the given name — the
 * one rate EM cannot tell apart from twins (who agree on everything else) on its own. Splink trains
 * a comparison's m on pairs blocked by a rule on other fields for the same reason.
 */
import type { Prepared } from './prepare';

/** Fewest anchor pairs with a given name on both sides before their distribution is used. */
const MIN_ANCHORS = 100;
/** Pseudo-count per level, so a level never seen among the anchors keeps a small probability. */
const PSEUDO = 0.5;

/**
 * Whether two records share a person identifier's value (not a source-local key).
 * @param a - first record
 * @param b - second record
 */
export function sharePersonId(a: Prepared, b: Prepared): boolean {
  for (const x of a.nationalIds) for (const y of b.nationalIds) if (x.key === y.key) return true;
  for (const x of a.otherIds) for (const y of b.otherIds) if (x.key === y.key) return true;
  return false;
}

/**
 * The level distribution of the anchor pairs (null excluded), or null when there are too few.
 * @param counts - anchor pairs per level (index 0 = null)
 * @returns probabilities per level (0 for null), or null
 */
export function anchoredDistribution(counts: number[]): number[] | null {
  const seen = counts.reduce((s, x, l) => (l === 0 ? s : s + x), 0);
  if (seen < MIN_ANCHORS) return null;
  const total = seen + PSEUDO * (counts.length - 1);
  return counts.map((x, l) => (l === 0 ? 0 : (x + PSEUDO) / total));
}
