/**
 * A staging view of the registry store for an atomic unit of work (a FHIR transaction Bundle, a
 * page of a bulk registration).
 *
 * The registry's operations run unchanged against this view: each one commits its change to the
 * view's own change log and applies it to staged records only. Reads answer with the base store
 * corrected by what was staged, so a later step sees an earlier one (a transaction that creates a
 * person and then updates them works). Nothing reaches the base store until `atomic.ts` folds the
 * staged changes into ONE change and commits it — all or nothing — or drops them. The base store's
 * leases are taken only then; the committed part of every lookup the unit made is re-read after that
 * commit, so a unit that raced another writer is recomputed instead of committed on stale reads.
 */
import { createMemoryRegistryStore } from '../memory/memory-store';
import type { Change, ChangeLog, LookupCheck, RegistryStore, StoredReview } from '../store';
import { reviewMatches, reviewOrder } from '../review-filter';
import { stagedRecords } from './overlay-records';

/** A staging view and what the commit needs from it. */
export interface StagingStore {
  store: RegistryStore;
  /** The changes committed to the view, in order. */
  changes(): Change[];
  /** The committed results of the lookups the unit made, or null when it made none. */
  baseCheck(): LookupCheck | null;
}

const newestFirst = (a: { at: string; id: string }, b: { at: string; id: string }): number => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1);
/** By time only: a stable sort keeps each side's own commit order within one instant. */
const oldestFirst = (a: { at: string }, b: { at: string }): number => (a.at === b.at ? 0 : a.at < b.at ? -1 : 1);

function stagedChanges(base: ChangeLog, mem: ChangeLog, log: Change[]): ChangeLog {
  return {
    ...mem,
    commit: async (change) => {
      await mem.commit(change);
      log.push((await mem.get(change.id)) as Change);
    },
    abort: async (id) => {
      await mem.abort(id);
      log.splice(log.findIndex((c) => c.id === id), 1);
    },
    history: async (kind, id) => [...(await base.history(kind, id)), ...(await mem.history(kind, id))].sort((a, b) => a.version - b.version),
    allHistory: async (o) => {
      const window = { ...(o.since ? { since: o.since } : {}), offset: 0, count: o.offset + o.count };
      const [committed, mine] = [await base.allHistory(window), await mem.allHistory(window)];
      const items = [...committed.items, ...mine.items].sort(newestFirst).slice(o.offset, o.offset + o.count);
      return { total: committed.total + mine.total, items };
    },
    historySince: async (o) => {
      const [committed, mine] = [await base.historySince(o), await mem.historySince(o)];
      return [...committed, ...mine].sort(oldestFirst).slice(0, o.count);
    },
  };
}

function stagedReviews(base: RegistryStore['reviews'], mem: RegistryStore['reviews']): RegistryStore['reviews'] {
  const ids = new Set<string>();
  return {
    get: async (id) => (await mem.get(id)) ?? base.get(id),
    put: async (docs) => {
      docs.forEach((d) => ids.add(d.id));
      await mem.put(docs);
    },
    list: async (f) => {
      const committed = await base.list({ ...f, offset: 0, count: f.offset + f.count + ids.size });
      const mine = await mem.list({ ...f, offset: 0, count: ids.size });
      const items = [...committed.items.filter((r) => !ids.has(r.id)), ...mine.items].sort(reviewOrder);
      // Committed versions of staged tasks that the filter counted: their staged versions replace them.
      const shadowed = (await Promise.all([...ids].map((id) => base.get(id)))).filter((r) => r && reviewMatches(r, f)).length;
      return { total: committed.total - shadowed + mine.total, items: items.slice(f.offset, f.offset + f.count) };
    },
    bySource: async (key) => [...(await base.bySource(key)).filter((r) => !ids.has(r.id)), ...(await mem.bySource(key))],
    sourceSystems: async (state) => {
      // A staged version may have left `state`: count each staged task by its latest version only.
      const staged = await Promise.all([...ids].map((id) => mem.get(id)));
      const mine = staged.filter((r): r is StoredReview => r?.state === state).map((r) => r.sourceSystem);
      return [...new Set([...(await base.sourceSystems(state)), ...mine])].sort();
    },
  };
}

function stagedMerges(base: RegistryStore['merges'], mem: RegistryStore['merges']): RegistryStore['merges'] {
  return {
    put: (docs) => mem.put(docs),
    get: async (id) => (await mem.get(id)) ?? base.get(id),
    activeFor: async (retiredId) => {
      const committed = await base.activeFor(retiredId);
      // A staged version of the committed merge may have undone it.
      const current = committed ? ((await mem.get(committed.id)) ?? committed) : null;
      const live = [current, await mem.activeFor(retiredId)].filter((m) => m && !m.undone);
      return live.sort((a, b) => ((a?.at ?? '') < (b?.at ?? '') ? 1 : -1))[0] ?? null;
    },
    intoSurvivor: async (survivorId) => {
      // Staged versions replace committed ones (an unmerge staged in the unit undoes a committed merge).
      const committed = await Promise.all((await base.intoSurvivor(survivorId)).map(async (m) => (await mem.get(m.id)) ?? m));
      const mine = (await mem.intoSurvivor(survivorId)).filter((m) => !committed.some((c) => c.id === m.id));
      return [...committed, ...mine].filter((m) => !m.undone).sort((a, b) => (a.at < b.at ? 1 : -1));
    },
  };
}

/**
 * Create a staging view over `base`.
 * @param base - the committed registry store
 */
export function createStagingStore(base: RegistryStore): StagingStore {
  // Staged documents live as long as the unit; frozen at the top only (a page of 500 is CPU-bound).
  const mem = createMemoryRegistryStore({ freeze: 'top' });
  const log: Change[] = [];
  const records = stagedRecords(base.records, mem.records);
  const store: RegistryStore = {
    ...base,
    records: records.store,
    changes: stagedChanges(base.changes, mem.changes, log),
    outbox: mem.outbox,
    reviews: stagedReviews(base.reviews, mem.reviews),
    merges: stagedMerges(base.merges, mem.merges),
  };
  return { store, changes: () => log, baseCheck: () => records.baseCheck() };
}
