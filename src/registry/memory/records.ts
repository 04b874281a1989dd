/**
 * In-memory twin of the records collection: source records, golden records and cross-reference
 * entries, with the lookup-key index (keys → sources), the logical-id index and the search indexes.
 */
import type { PatientSearchResult } from '../api';
import { searchComparator, searchPredicate } from '../search-fields';
import type { LookupResult, RecordStore, SearchFields, SourceView, StoredGolden, StoredSource, XrefEntry } from '../store';
import { lookupKey } from '../keys';
import { freezer, putIfNewer } from './frozen';
import type { FreezeDepth } from './frozen';
import { Groups } from './groups';
import { MemorySearchIndex } from './search-index';
import { identifierKey } from '../../core/types';

const XREF_PREFIX = lookupKey.xref('');

function searchIn<T extends { search: SearchFields; patient: StoredSource['patient'] }>(docs: T[], kind: 'golden' | 'source', matches: (f: SearchFields) => boolean): Array<{ kind: 'golden' | 'source'; doc: T }> {
  return docs.filter((d) => matches(d.search)).map((doc) => ({ kind, doc }));
}

/**
 * Create an empty in-memory record store.
 * @param depth - how deep written documents are frozen
 */
export function createMemoryRecords(depth?: FreezeDepth): RecordStore {
  const freeze = freezer(depth);
  const sources = new Map<string, StoredSource>();
  const keyById = new Map<string, string>();
  const goldens = new Map<string, StoredGolden>();
  const xref = new Map<string, XrefEntry>();
  const filed = new Groups();
  const goldenIndex = new MemorySearchIndex();
  const sourceIndex = new MemorySearchIndex();

  const putSource = (doc: StoredSource): void => {
    const before = sources.get(doc.key);
    if (!putIfNewer(sources, doc.key, doc, freeze)) return;
    for (const k of before?.keys ?? []) filed.delete(k, doc.key);
    for (const k of doc.keys) filed.add(k, doc.key);
    keyById.set(doc.id, doc.key);
    sourceIndex.put(doc.key, doc.search);
  };
  const putGolden = (doc: StoredGolden): void => {
    if (putIfNewer(goldens, doc.mpiId, doc, freeze)) goldenIndex.put(doc.mpiId, doc.search);
  };
  const filedUnder = (key: string, rf?: string): StoredSource[] => {
    const docs = filed.pick(key, sources);
    return rf === undefined ? docs : docs.filter((s) => s.rf === rf);
  };

  return {
    source: async (key) => sources.get(key) ?? null,
    sourceById: async (id) => sources.get(keyById.get(id) ?? '') ?? null,
    sources: async (keys) => keys.flatMap((k) => (sources.has(k) ? [sources.get(k) as StoredSource] : [])),
    golden: async (id) => goldens.get(id) ?? null,
    goldens: async (ids) => ids.flatMap((id) => (goldens.has(id) ? [goldens.get(id) as StoredGolden] : [])),
    xref: async (keys) => keys.flatMap((k) => (xref.has(k) ? [xref.get(k) as XrefEntry] : [])),
    lookup: async (query): Promise<LookupResult> => {
      const found = new Map<string, SourceView>();
      const entries: XrefEntry[] = [];
      for (const key of query.keys) {
        if (key.startsWith(XREF_PREFIX)) {
          const e = xref.get(key.slice(XREF_PREFIX.length));
          if (e) entries.push(e);
        } else {
          for (const s of filedUnder(key)) found.set(s.key, s);
        }
      }
      for (const branch of query.refined ?? []) for (const key of branch.keys) for (const s of filedUnder(key, branch.rf)) found.set(s.key, s);
      return { sources: [...found.values()], xref: entries };
    },
    byIdentifier: async (id, limit) => {
      const key = id.system !== undefined && id.value !== undefined ? lookupKey.identifier(identifierKey({ system: id.system, value: id.value })) : null;
      const pool = key ? filed.pick(key, sources) : [...sources.values()];
      const hits = pool.filter((s) => s.search.identifiers.some((i) => (id.system === undefined || i.system === id.system) && (id.value === undefined || i.value === id.value)));
      return hits.sort((a, b) => (a.key < b.key ? -1 : 1)).slice(0, limit);
    },
    page: async (afterKey, limit) =>
      [...sources.keys()].filter((k) => afterKey === null || k > afterKey).sort().slice(0, limit).map((k) => sources.get(k) as StoredSource),
    countSources: async () => sources.size,
    write: async (w) => {
      w.sources.forEach(putSource);
      w.goldens.forEach(putGolden);
      for (const e of w.xrefDel) if (xref.get(e.key)?.mpiId === e.mpiId) xref.delete(e.key);
      for (const e of w.xrefPut) xref.set(e.key, freeze({ ...e }));
    },
    search: async (q): Promise<PatientSearchResult> => {
      const pick = <T>(map: Map<string, T>, index: MemorySearchIndex): T[] => {
        const ids = index.candidates(q);
        if (!ids) return [...map.values()];
        const docs: T[] = [];
        for (const id of ids) if (map.has(id)) docs.push(map.get(id) as T);
        return docs;
      };
      const matches = searchPredicate(q);
      const hits = [
        ...(q.kind === 'source' ? [] : searchIn(pick(goldens, goldenIndex), 'golden', matches)),
        ...(q.kind === 'golden' ? [] : searchIn(pick(sources, sourceIndex), 'source', matches)),
      ];
      const cmp = searchComparator(q);
      hits.sort((a, b) => cmp(a.doc.search, b.doc.search));
      return { total: hits.length, items: hits.slice(q.offset, q.offset + q.count).map((h) => ({ kind: h.kind, patient: h.doc.patient })) };
    },
  };
}
