/**
 * In-memory twin of the registry store, for unit tests, the evaluation CLI and the CPU figures of the
 * benchmarks. Writes take ownership of the documents they are given and freeze them (frozen.ts); reads
 * hand them out as they are. Single-threaded JavaScript makes each method atomic.
 */
import { MediatorError } from '../../core/errors';
import type { MergeRecord, OutboxStore, RegistryStore, StoredModel, StoredReview, TokenRecord } from '../store';
import type { Claimant } from '../../core/outbox-claims';
import { createMemoryChangeLog } from './change-log';
import { frozenCopy, page, putIfNewer } from './frozen';
import type { FreezeDepth } from './frozen';
import { Groups } from './groups';
import { createMemoryRecords } from './records';
import { reviewMatches, reviewOrder } from '../review-filter';

function reviewStore(): RegistryStore['reviews'] {
  const reviews = new Map<string, StoredReview>();
  const bySource = new Groups();
  return {
    get: async (id) => reviews.get(id) ?? null,
    put: async (docs) => {
      for (const doc of docs) if (putIfNewer(reviews, doc.id, doc)) bySource.add(doc.sourceKey, doc.id);
    },
    list: async (f) => {
      const items = [...reviews.values()].filter((r) => reviewMatches(r, f)).sort(reviewOrder);
      return page(items, f.offset, f.count);
    },
    bySource: async (sourceKey) => bySource.pick(sourceKey, reviews),
    sourceSystems: async (state) => [...new Set([...reviews.values()].filter((r) => r.state === state).map((r) => r.sourceSystem))].sort(),
  };
}

function mergeStore(): RegistryStore['merges'] {
  const merges = new Map<string, MergeRecord>();
  const byRetired = new Groups();
  const bySurvivor = new Groups();
  return {
    put: async (docs) => {
      for (const doc of docs) {
        if (!putIfNewer(merges, doc.id, doc)) continue;
        byRetired.add(doc.retiredId, doc.id);
        bySurvivor.add(doc.survivorId, doc.id);
      }
    },
    get: async (id) => merges.get(id) ?? null,
    activeFor: async (retiredId) => byRetired.pick(retiredId, merges).filter((m) => !m.undone).sort((a, b) => (a.at < b.at ? 1 : -1))[0] ?? null,
    intoSurvivor: async (survivorId) => bySurvivor.pick(survivorId, merges).filter((m) => m.survivorId === survivorId && !m.undone).sort((a, b) => (a.at < b.at ? 1 : -1)),
  };
}

function tokenStore(): RegistryStore['tokens'] {
  const tokens = new Map<string, TokenRecord>();
  return {
    insert: async (doc) => {
      if (tokens.has(doc.hash)) throw new MediatorError('conflict', 'token exists');
      tokens.set(doc.hash, frozenCopy(doc));
    },
    get: async (hash) => tokens.get(hash) ?? null,
    revoke: async (hash, at) => {
      const t = tokens.get(hash);
      if (!t) return false;
      tokens.set(hash, frozenCopy({ ...t, revokedAt: t.revokedAt ?? at }));
      return true;
    },
  };
}

function modelStore(): RegistryStore['models'] {
  const models = new Map<string, StoredModel>();
  return {
    put: async (doc) => void models.set(doc.version, frozenCopy(doc)),
    get: async (v) => models.get(v) ?? null,
    active: async () => [...models.values()].find((m) => m.active) ?? null,
    activate: async (version) => {
      if (!models.has(version)) throw new MediatorError('not-found', 'unknown model version');
      for (const [v, m] of models) models.set(v, frozenCopy({ ...m, active: v === version }));
    },
    list: async () => [...models.values()].map(({ model: _model, ...rest }) => rest),
  };
}

/**
 * Create an empty in-memory registry store (`outboxFor`: its outbox as another process relaying it sees it).
 * @param opts - `freeze: 'top'` freezes stored documents at the top level only (CPU measurements of
 *   the registry itself); the default freezes them whole, so any change in place fails loudly
 */
export function createMemoryRegistryStore(opts: { freeze?: FreezeDepth } = {}): RegistryStore & { outboxFor: (claimant: Claimant) => OutboxStore } {
  const { changes, outbox, outboxFor } = createMemoryChangeLog(opts.freeze);
  return { records: createMemoryRecords(opts.freeze), changes, outbox, outboxFor, reviews: reviewStore(), merges: mergeStore(), tokens: tokenStore(), models: modelStore() };
}
