/**
 * Lookup queries as values: merging several into one (a page's prefetch, a unit's check) and
 * answering one from the result of a broader one that covers it.
 */
import type { LookupQuery, LookupResult, SourceView } from './store';
import { lookupKey } from './keys';

const XREF_PREFIX = lookupKey.xref('');

/**
 * One query answering all of `queries` (the union of their results).
 * @param queries - lookup queries
 */
export function mergeQueries(queries: LookupQuery[]): LookupQuery {
  const keys = new Set<string>();
  const byRf = new Map<string, Set<string>>();
  for (const q of queries) {
    q.keys.forEach((k) => keys.add(k));
    for (const r of q.refined ?? []) {
      const set = byRf.get(r.rf) ?? new Set<string>();
      r.keys.forEach((k) => set.add(k));
      byRf.set(r.rf, set);
    }
  }
  const refined = [...byRf].map(([rf, set]) => ({ rf, keys: [...set] }));
  return { keys: [...keys], ...(refined.length > 0 ? { refined } : {}) };
}

/**
 * Whether `broad` asks everything `q` asks (so its result holds `q`'s).
 * @param broad - the broader query
 * @param q - the query to answer
 */
export function covers(broad: { keys: Set<string>; refined: Map<string, Set<string>> }, q: LookupQuery): boolean {
  if (!q.keys.every((k) => broad.keys.has(k))) return false;
  return (q.refined ?? []).every((r) => r.keys.every((k) => broad.keys.has(k) || broad.refined.get(r.rf)?.has(k)));
}

/**
 * The part of a broader result that `q` asks for.
 * @param result - the broader query's result
 * @param q - the query to answer
 */
export function narrow(result: LookupResult, q: LookupQuery): LookupResult {
  const keys = new Set(q.keys);
  const refined = (q.refined ?? []).map((r) => ({ rf: r.rf, keys: new Set(r.keys) }));
  const wanted = (s: SourceView): boolean => s.keys.some((k) => keys.has(k) || refined.some((r) => r.rf === s.rf && r.keys.has(k)));
  return { sources: result.sources.filter(wanted), xref: result.xref.filter((e) => keys.has(`${XREF_PREFIX}${e.key}`)) };
}
