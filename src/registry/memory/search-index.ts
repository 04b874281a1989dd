/**
 * A small inverted index for the in-memory twin's Patient search, so that PDQm queries on a large
 * memory registry (benchmarks, evaluation) read a handful of candidates instead of every record.
 * It only narrows: every candidate is still checked by the query's `searchPredicate`, so results equal a scan.
 */
import type { PatientQuery } from '../api';
import { conditionValues } from '../api';
import { normalizeSearchText } from '../search-fields';
import type { SearchFields } from '../store';
import { Groups } from './groups';
import { identifierKey } from '../../core/types';

const PREFIX = 2;

function keysOf(f: SearchFields): string[] {
  return [
    ...f.family.map((t) => `f:${t.slice(0, PREFIX)}`),
    ...f.identifiers.map((i) => `i:${identifierKey(i)}`),
    ...(f.birthDate ? [`b:${f.birthDate}`] : []),
  ];
}

/** Index keys a query can be narrowed by (each list is OR-ed; lists are AND-ed), or none. */
function queryKeys(q: PatientQuery): string[][] {
  const lists: string[][] = [];
  for (const fam of q.family ?? []) {
    const values = conditionValues(fam).map(normalizeSearchText);
    if (fam.match !== 'contains' && values.every((v) => v.length >= PREFIX)) lists.push(values.map((v) => `f:${v.slice(0, PREFIX)}`));
  }
  for (const id of q.identifiers ?? []) if (id.system && id.value) lists.push([`i:${identifierKey({ system: id.system, value: id.value })}`]);
  for (const b of q.birthDate ?? []) if (b.prefix === 'eq' && /^\d{4}-\d{2}-\d{2}$/.test(b.value)) lists.push([`b:${b.value}`]);
  return lists;
}

/** Document ids per index key, kept in step with puts. */
export class MemorySearchIndex {
  private readonly byKey = new Groups();
  private readonly keysByDoc = new Map<string, string[]>();

  /**
   * Index (or re-index) one document.
   * @param docId - the store's id for the document
   * @param fields - its search fields
   */
  put(docId: string, fields: SearchFields): void {
    for (const k of this.keysByDoc.get(docId) ?? []) this.byKey.delete(k, docId);
    const keys = keysOf(fields);
    for (const k of keys) this.byKey.add(k, docId);
    this.keysByDoc.set(docId, keys);
  }

  /**
   * Candidate document ids for a query, or null when the query has nothing indexable (scan).
   * @param q - the typed query
   */
  candidates(q: PatientQuery): Set<string> | null {
    const lists = queryKeys(q);
    if (lists.length === 0) return null;
    // Pick the most selective list by its size bound before materialising anything: a common family
    // prefix holds thousands of ids on a large registry, a birth date a handful.
    const bound = (list: string[]): number => list.reduce((n, k) => n + this.byKey.size(k), 0);
    let best = lists[0] as string[];
    let bestBound = bound(best);
    for (const list of lists) {
      const b = bound(list);
      if (b < bestBound) [best, bestBound] = [list, b];
    }
    const union = new Set<string>();
    for (const k of best) for (const id of this.byKey.members(k)) union.add(id);
    return union;
  }
}
