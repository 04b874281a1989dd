/**
 * Lookup queries as values: merging several into one (a page's prefetch, a unit's check) and
 * answering one from the result of a broader one that covers it.
 */
import type { LookupQuery, LookupResult, SourceView } from './store';
import { lookupKey } from './keys';

const XREF_PREFIX = lookupKey.xref('');

/** A source record as a lookup check sees it: changes whenever the record is written. */
export const sourceFingerprint = (s: { key: string; version: number }): string => `${s.key}@${s.version}`;
/** A cross-reference entry as a lookup check sees it: changes when the identifier moves. */
export const xrefFingerprint = (x: { key: string; mpiId: string }): string => `x:${x.key}@${x.mpiId}`;

/**
 * What a lookup returned, as strings that change when a record under its keys is written.
 * @param result - a lookup result
 */
export function lookupFingerprint(result: LookupResult): string[] {
  return [...result.sources.map(sourceFingerprint), ...result.xref.map(xrefFingerprint)];
}

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

/** A lookup result indexed by lookup key, to answer narrower queries from it. */
export interface IndexedResult {
  byKey: Map<string, SourceView[]>;
  xref: Map<string, LookupResult['xref'][number]>;
}

/**
 * Index a broad lookup result by the keys its records are filed under.
 * @param result - the broad result
 */
export function indexResult(result: LookupResult): IndexedResult {
  const byKey = new Map<string, SourceView[]>();
  for (const s of result.sources) {
    for (const k of s.keys) {
      const list = byKey.get(k);
      if (list) list.push(s);
      else byKey.set(k, [s]);
    }
  }
  return { byKey, xref: new Map(result.xref.map((e) => [`${XREF_PREFIX}${e.key}`, e])) };
}

/**
 * The part of a broader (indexed) result that `q` asks for.
 * @param index - the broader query's result, indexed
 * @param q - the query to answer
 */
export function narrow(index: IndexedResult, q: LookupQuery): LookupResult {
  const found = new Map<string, SourceView>();
  const xref: LookupResult['xref'] = [];
  for (const k of q.keys) {
    const e = index.xref.get(k);
    if (e) xref.push(e);
    for (const s of index.byKey.get(k) ?? []) found.set(s.key, s);
  }
  for (const r of q.refined ?? []) for (const k of r.keys) for (const s of index.byKey.get(k) ?? []) if (s.rf === r.rf) found.set(s.key, s);
  return { sources: [...found.values()], xref };
}
