/**
 * Reads of a staged unit of work that span many records — Patient search and the type-level
 * history — answered as the base store's result corrected by the staged documents: staged
 * versions replace their committed ones, new staged documents join, order and paging hold.
 */
import type { PatientQuery, PatientSearchResult } from '../api';
import { searchComparator, searchPredicate } from '../search-fields';
import type { RecordStore, SearchFields, StoredGolden, StoredSource } from '../store';

/** The staged documents a search must account for. */
export interface StagedDocs {
  sources(): StoredSource[];
  goldens(): StoredGolden[];
}

type Hit = { kind: 'golden' | 'source'; search: SearchFields; patient: StoredSource['patient'] };

async function committedFields(base: RecordStore, kind: 'golden' | 'source', id: string): Promise<SearchFields | null> {
  const doc = kind === 'golden' ? await base.golden(id) : await base.sourceById(id);
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
 * @param base - the committed records
 * @param staged - the unit's staged documents
 * @param q - the query
 */
export async function stagedSearch(base: RecordStore, staged: StagedDocs, q: PatientQuery): Promise<PatientSearchResult> {
  const stagedIds = [...staged.goldens().map((g) => g.mpiId), ...staged.sources().map((s) => s.id)];
  if (stagedIds.length === 0) return base.search(q);
  const shadowed = new Set(stagedIds);
  // How many committed hits the staged versions replace (they are counted again if they still match).
  const overlapIds = q.ids ? q.ids.filter((id) => shadowed.has(id)) : stagedIds;
  const overlap = overlapIds.length > 0 ? (await base.search({ ...q, ids: overlapIds, offset: 0, count: 0 })).total : 0;
  const window = await base.search({ ...q, offset: 0, count: q.offset + q.count + stagedIds.length });
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
}
