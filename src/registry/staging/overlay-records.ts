/**
 * The records of an atomic unit's staging view (see overlay.ts): writes land in an in-memory twin
 * (cross-reference removals as tombstones); reads answer with the staged version of a record when
 * there is one and the committed one otherwise, and lookups merge both. The committed part of every
 * lookup is remembered, so the folded change can prove at commit that nothing changed underneath.
 */
import type { LookupCheck, LookupResult, RecordStore, StoredGolden, StoredSource, XrefEntry } from '../store';
import { stagedSearch } from './overlay-search';
import { LookupSnapshot } from '../lookup-snapshot';

const byKey = (a: StoredSource, b: StoredSource): number => (a.key < b.key ? -1 : 1);

/** The staging view of the records, with what the commit needs from it. */
export interface StagedRecords {
  store: RecordStore;
  /** The committed results of the lookups the unit made (its check), or null when it made none. */
  baseCheck(): LookupCheck | null;
}

/**
 * A staging view over `base`.
 * @param base - the committed records
 * @param mem - the staging twin
 */
export function stagedRecords(base: RecordStore, mem: RecordStore): StagedRecords {
  const sources = new Map<string, StoredSource>();
  const goldens = new Map<string, StoredGolden>();
  const xref = new Map<string, XrefEntry | null>();
  // The unit's lookups must read one committed state, or the folded check proves nothing; they are its check.
  const snapshot = new LookupSnapshot();
  const merge = (committed: LookupResult, staged: LookupResult): LookupResult => ({
    sources: [...committed.sources.filter((s) => !sources.has(s.key)), ...staged.sources],
    xref: [...committed.xref.filter((e) => !xref.has(e.key)), ...staged.xref],
  });
  const store: RecordStore = {
    source: async (key) => sources.get(key) ?? base.source(key),
    sourceById: async (id) => (await mem.sourceById(id)) ?? base.sourceById(id),
    sources: async (keys) => [...keys.flatMap((k) => (sources.has(k) ? [sources.get(k) as StoredSource] : [])), ...(await base.sources(keys.filter((k) => !sources.has(k))))],
    golden: async (id) => goldens.get(id) ?? base.golden(id),
    goldens: async (ids) => [...ids.flatMap((id) => (goldens.has(id) ? [goldens.get(id) as StoredGolden] : [])), ...(await base.goldens(ids.filter((id) => !goldens.has(id))))],
    xref: async (keys) => [...keys.flatMap((k) => { const e = xref.get(k); return e ? [e] : []; }), ...(await base.xref(keys.filter((k) => !xref.has(k))))],
    lookup: async (q) => {
      const committed = await base.lookup(q);
      snapshot.note(q, committed);
      return merge(committed, await mem.lookup(q));
    },
    byIdentifier: async (id, limit) => {
      const committed = (await base.byIdentifier(id, limit + sources.size)).filter((s) => !sources.has(s.key));
      return [...committed, ...(await mem.byIdentifier(id, limit))].sort(byKey).slice(0, limit);
    },
    page: async (afterKey, limit) => {
      const committed = (await base.page(afterKey, limit)).filter((s) => !sources.has(s.key));
      return [...committed, ...(await mem.page(afterKey, limit))].sort(byKey).slice(0, limit);
    },
    countSources: async () => (await base.countSources()) - (await base.sources([...sources.keys()])).length + sources.size,
    write: async (w) => {
      await mem.write(w);
      for (const s of w.sources) sources.set(s.key, (await mem.source(s.key)) as StoredSource);
      for (const g of w.goldens) goldens.set(g.mpiId, (await mem.golden(g.mpiId)) as StoredGolden);
      for (const e of w.xrefDel) if (((await store.xref([e.key]))[0]?.mpiId ?? e.mpiId) === e.mpiId) xref.set(e.key, null);
      for (const e of w.xrefPut) xref.set(e.key, e);
    },
    search: (q) => stagedSearch(base, { sources: () => [...sources.values()], goldens: () => [...goldens.values()] }, q),
  };
  return { store, baseCheck: () => snapshot.check() };
}
