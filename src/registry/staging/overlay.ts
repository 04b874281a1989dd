/**
 * A staging view of the registry store for an atomic unit of work (a FHIR transaction Bundle).
 *
 * The registry's operations run unchanged against this view: each one commits its change to the
 * view's journal, which applies it to staged collections only. Reads answer with the base store
 * corrected by what was staged, so a later step sees an earlier one (a transaction that creates a
 * person and then updates them works). Nothing reaches the base store until `atomic.ts` folds the
 * staged changes into ONE journal change and commits it — all or nothing — or drops them.
 *
 * Claims are taken on the base store under one owner and held until the unit ends, so no other
 * registration can decide on the same blocking keys between staging and commit; the combined
 * change's version guards catch anything that slipped past an expired lease. Because a unit gathers
 * claims step by step (not in one sorted batch), two units whose steps claim shared keys in opposite
 * orders wait for each other until the claim wait runs out; both then fail with 'unavailable'
 * (503, retryable) having written nothing.
 */
import { MediatorError } from '../../core/errors';
import { createMemoryRegistryStore } from '../memory/memory-store';
import type { Change, ClaimStore, JournalStore, RegistryStore, StoredGolden, StoredReview, StoredSource } from '../store';
import { stagedBlocking, stagedXref } from './overlay-index';
import { stagedHistory, stagedPatientSearch } from './overlay-search';

/** A staging view and what the commit needs from it. */
export interface StagingStore {
  store: RegistryStore;
  /** The changes committed to the view, in order. */
  changes(): Change[];
  /** Release the claims the unit holds on the base store. */
  releaseClaims(): Promise<void>;
}

function stagedClaims(base: ClaimStore, owner: string, held: Set<string>): ClaimStore {
  return {
    tryAcquire: async (key, _owner, expiresAt, now) => {
      if (held.has(key)) return true;
      const ok = await base.tryAcquire(key, owner, expiresAt, now);
      if (ok) held.add(key);
      return ok;
    },
    // Held until the unit commits or fails (releaseClaims).
    release: async () => undefined,
  };
}

function stagedJournal(log: Change[]): JournalStore {
  const guards = new Set<string>();
  return {
    append: async (change) => {
      if (change.guards.some((g) => guards.has(g))) {
        throw new MediatorError('conflict', 'two steps of one transaction changed the same record version', { guards: change.guards });
      }
      change.guards.forEach((g) => guards.add(g));
      const staged = { ...structuredClone(change), seq: log.length + 1 };
      log.push(staged);
      return staged;
    },
    markApplied: async () => undefined,
    // A staged change is applied at once; recovery of the base journal is not the unit's business.
    unapplied: async () => [],
    get: async (id) => log.find((c) => c.id === id) ?? null,
  };
}

type ReviewFilter = Parameters<RegistryStore['reviews']['list']>[0];

const reviewMatches = (r: StoredReview, f: ReviewFilter): boolean =>
  (!f.state || r.state === f.state) && (!f.sourceSystem || r.sourceSystem === f.sourceSystem) && (!f.olderThan || r.createdAt < f.olderThan);

const reviewOrder = (a: StoredReview, b: StoredReview): number => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1);

function firstOf<T>(staged: T | null, committed: () => Promise<T | null>): Promise<T | null> {
  return staged ? Promise.resolve(staged) : committed();
}

/**
 * Create a staging view over `base`.
 * @param base - the committed registry store
 * @param owner - the claim owner of the unit
 */
export function createStagingStore(base: RegistryStore, owner: string): StagingStore {
  const mem = createMemoryRegistryStore();
  const log: Change[] = [];
  const held = new Set<string>();
  const sourceKeys = new Set<string>();
  const goldenIds = new Set<string>();
  const reviewIds = new Set<string>();
  // Latest staged versions, for the searches that must list them (staged puts are always newer).
  const latestSources = new Map<string, StoredSource>();
  const latestGoldens = new Map<string, StoredGolden>();
  const docs = { sources: () => [...latestSources.values()], goldens: () => [...latestGoldens.values()] };
  const store: RegistryStore = {
    ...base,
    sources: {
      get: async (key) => firstOf(await mem.sources.get(key), () => base.sources.get(key)),
      getById: async (id) => firstOf(await mem.sources.getById(id), () => base.sources.getById(id)),
      getMany: async (keys) => {
        const mine = await mem.sources.getMany(keys);
        const rest = keys.filter((k) => !sourceKeys.has(k));
        return [...mine, ...(rest.length > 0 ? await base.sources.getMany(rest) : [])];
      },
      byIdentifier: async (id, limit) => {
        const committed = (await base.sources.byIdentifier(id, limit + sourceKeys.size)).filter((s) => !sourceKeys.has(s.key));
        const all = [...committed, ...(await mem.sources.byIdentifier(id, limit))];
        return all.sort((a, b) => (a.key < b.key ? -1 : 1)).slice(0, limit);
      },
      page: async (afterKey, limit) => {
        const committed = (await base.sources.page(afterKey, limit)).filter((s) => !sourceKeys.has(s.key));
        const all = [...committed, ...(await mem.sources.page(afterKey, limit))];
        return all.sort((a, b) => (a.key < b.key ? -1 : 1)).slice(0, limit);
      },
      count: async () => (await base.sources.count()) - (await base.sources.getMany([...sourceKeys])).length + sourceKeys.size,
      put: async (doc) => {
        sourceKeys.add(doc.key);
        await mem.sources.put(doc);
        latestSources.set(doc.key, (await mem.sources.get(doc.key)) as StoredSource);
      },
    },
    goldens: {
      get: async (id) => firstOf(await mem.goldens.get(id), () => base.goldens.get(id)),
      getMany: async (ids) => {
        const rest = ids.filter((id) => !goldenIds.has(id));
        return [...(await mem.goldens.getMany(ids)), ...(rest.length > 0 ? await base.goldens.getMany(rest) : [])];
      },
      put: async (doc) => {
        goldenIds.add(doc.mpiId);
        await mem.goldens.put(doc);
        latestGoldens.set(doc.mpiId, (await mem.goldens.get(doc.mpiId)) as StoredGolden);
      },
    },
    xref: stagedXref(base.xref),
    blocking: stagedBlocking(base.blocking),
    reviews: {
      get: async (id) => firstOf(await mem.reviews.get(id), () => base.reviews.get(id)),
      put: async (doc) => {
        reviewIds.add(doc.id);
        await mem.reviews.put(doc);
      },
      list: async (f) => {
        const committed = await base.reviews.list({ ...f, offset: 0, count: f.offset + f.count + reviewIds.size });
        const mine = await mem.reviews.list({ ...f, offset: 0, count: reviewIds.size });
        const items = [...committed.items.filter((r) => !reviewIds.has(r.id)), ...mine.items].sort(reviewOrder);
        // Committed versions of staged tasks that the filter counted: their staged versions replace them.
        const shadowed = (await Promise.all([...reviewIds].map((id) => base.reviews.get(id)))).filter((r) => r && reviewMatches(r, f)).length;
        return { total: committed.total - shadowed + mine.total, items: items.slice(f.offset, f.offset + f.count) };
      },
      bySource: async (key) => [...(await base.reviews.bySource(key)).filter((r) => !reviewIds.has(r.id)), ...(await mem.reviews.bySource(key))],
    },
    constraints: {
      put: (doc) => mem.constraints.put(doc),
      forSource: async (key) => [...(await base.constraints.forSource(key)), ...(await mem.constraints.forSource(key))],
    },
    history: stagedHistory(base.history, mem.history),
    merges: {
      put: (doc) => mem.merges.put(doc),
      get: async (id) => firstOf(await mem.merges.get(id), () => base.merges.get(id)),
      activeFor: async (retiredId) => {
        const committed = await base.merges.activeFor(retiredId);
        const current = committed ? ((await mem.merges.get(committed.id)) ?? committed) : null;
        const mine = await mem.merges.activeFor(retiredId);
        const live = [current, mine].filter((m) => m && !m.undone);
        return live.sort((a, b) => ((a?.at ?? '') < (b?.at ?? '') ? 1 : -1))[0] ?? null;
      },
    },
    journal: stagedJournal(log),
    claims: stagedClaims(base.claims, owner, held),
    patients: stagedPatientSearch(base, docs),
  };
  return {
    store,
    changes: () => log,
    releaseClaims: async () => {
      if (held.size > 0) await base.claims.release([...held], owner);
      held.clear();
    },
  };
}
