/**
 * Reads of a staged unit of work that span many records — Patient search and the type-level
 * history — answered as the base store's result corrected by the staged documents: staged
 * versions replace their committed ones, new staged documents join, order and paging hold.
 */
import type { HistoryEntry, PatientQuery, PatientSearchResult } from '../ports';
import { searchComparator, searchPredicate } from '../search-fields';
import type { HistoryStore, PatientSearchStore, RegistryStore, SearchFields, StoredGolden, StoredSource } from '../store';

/** The staged documents a search must account for. */
export interface StagedDocs {
  sources(): StoredSource[];
  goldens(): StoredGolden[];
}

type Hit = { kind: 'golden' | 'source'; search: SearchFields; patient: StoredSource['patient'] };

async function committedFields(base: RegistryStore, kind: 'golden' | 'source', id: string): Promise<SearchFields | null> {
  const doc = kind === 'golden' ? await base.goldens.get(id) : await base.sources.getById(id);
  return doc?.search ?? null;
}

function stagedHits(staged: StagedDocs, q: PatientQuery): Hit[] {
  const docs: Array<{ kind: 'golden' | 'source'; doc: StoredSource | StoredGolden }> = [
    ...(q.kind === 'source' ? [] : staged.goldens().map((doc) => ({ kind: 'golden' as const, doc }))),
    ...(q.kind === 'golden' ? [] : staged.sources().map((doc) => ({ kind: 'source' as const, doc }))),
  ];
  const matches = searchPredicate(q);
  return docs.filter((d) => matches(d.doc.search)).map((d) => ({ kind: d.kind, search: d.doc.search, patient: d.doc.patient }));
}

/**
 * Patient search over the base store and the staged documents.
 * @param base - the committed store
 * @param staged - the unit's staged documents
 */
export function stagedPatientSearch(base: RegistryStore, staged: StagedDocs): PatientSearchStore {
  return {
    search: async (q): Promise<PatientSearchResult> => {
      const stagedIds = [...staged.goldens().map((g) => g.mpiId), ...staged.sources().map((s) => s.id)];
      if (stagedIds.length === 0) return base.patients.search(q);
      const shadowed = new Set(stagedIds);
      // How many committed hits the staged versions replace (they are counted again if they still match).
      const overlapIds = q.ids ? q.ids.filter((id) => shadowed.has(id)) : stagedIds;
      const overlap = overlapIds.length > 0 ? (await base.patients.search({ ...q, ids: overlapIds, offset: 0, count: 0 })).total : 0;
      const window = await base.patients.search({ ...q, offset: 0, count: q.offset + q.count + stagedIds.length });
      const mine = stagedHits(staged, q);
      const hits: Hit[] = [...mine];
      for (const item of window.items) {
        const id = item.patient.id ?? '';
        const search = shadowed.has(id) ? null : await committedFields(base, item.kind, id);
        if (search) hits.push({ kind: item.kind, search, patient: item.patient });
      }
      const cmp = searchComparator(q);
      hits.sort((a, b) => cmp(a.search, b.search));
      const total = window.total - overlap + mine.length;
      return { total, items: hits.slice(q.offset, q.offset + q.count).map((h) => ({ kind: h.kind, patient: h.patient })) };
    },
  };
}

const newestFirst = (a: HistoryEntry, b: HistoryEntry): number => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1);

/**
 * History over the base store and staged versions (a staged version is never committed yet).
 * @param base - the committed history
 * @param staging - where the unit's versions are appended
 */
export function stagedHistory(base: HistoryStore, staging: HistoryStore): HistoryStore {
  return {
    append: (e) => staging.append(e),
    list: async (kind, id) => [...(await base.list(kind, id)), ...(await staging.list(kind, id))].sort((a, b) => a.version - b.version),
    all: async (o) => {
      const window = { since: o.since, offset: 0, count: o.offset + o.count };
      const [committed, mine] = [await base.all(window), await staging.all(window)];
      const items = [...committed.items, ...mine.items].sort(newestFirst).slice(o.offset, o.offset + o.count);
      return { total: committed.total + mine.total, items };
    },
  };
}
