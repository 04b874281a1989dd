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
import type { Change, ClaimStore, JournalStore, RegistryStore } from '../store';
import { stagedBlocking, stagedXref } from './overlay-index';
import { stagedDecisions, stagedGoldens, stagedReviews, stagedSources } from './overlay-records';
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
    retireFinished: async () => 0,
  };
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
  const sources = stagedSources(base, mem);
  const goldens = stagedGoldens(base, mem);
  const store: RegistryStore = {
    ...base,
    ...stagedDecisions(base, mem),
    sources: sources.store,
    goldens: goldens.store,
    xref: stagedXref(base.xref),
    blocking: stagedBlocking(base.blocking),
    reviews: stagedReviews(base, mem),
    history: stagedHistory(base.history, mem.history),
    journal: stagedJournal(log),
    claims: stagedClaims(base.claims, owner, held),
    patients: stagedPatientSearch(base, { sources: sources.latest, goldens: goldens.latest }),
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
