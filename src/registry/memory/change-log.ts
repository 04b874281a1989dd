/**
 * In-memory twin of the change log: changes by id, leases held by changes in flight, the guards of
 * every committed change, the history index and the outbox. Single-threaded JavaScript makes each
 * method atomic, as one MongoDB command is.
 */
import { MediatorError } from '../../core/errors';
import { newClaimant } from '../../core/outbox-claims';
import type { Claimant } from '../../core/outbox-claims';
import { historyRef } from '../keys';
import { historyEntryOf } from '../history';
import type { Change, ChangeLog, CommitConflict, OutboxStore } from '../store';
import { freezer, page } from './frozen';
import { memoryOutbox } from './outbox';
import type { MemoryOutboxState } from './outbox';
import type { FreezeDepth } from './frozen';
import { Groups } from './groups';

/**
 * Create an empty in-memory change log and its outbox view (`outboxFor`: the view of another
 * claimant, as another process would relay it — tests of several relays).
 * @param depth - how deep committed changes are frozen
 */
export function createMemoryChangeLog(depth?: FreezeDepth): { changes: ChangeLog; outbox: OutboxStore; outboxFor: (claimant: Claimant) => OutboxStore } {
  const freeze = freezer(depth);
  const changes = new Map<string, Change>();
  const leases = new Map<string, { changeId: string; at: string }>();
  const guards = new Set<string>();
  const byRef = new Groups();
  const unfinished = new Set<string>();
  const pending = new Set<string>();
  const inSeqOrder = (ids: Set<string>): Change[] => [...ids].map((id) => changes.get(id) as Change).sort((a, b) => a.seq - b.seq || (a.id < b.id ? -1 : 1));
  const release = (c: Change): void => {
    for (const l of c.leases) if (leases.get(l)?.changeId === c.id) leases.delete(l);
  };

  const log: ChangeLog = {
    commit: async (change) => {
      const conflict: CommitConflict = { leases: change.leases.filter((l) => leases.has(l)), guards: change.guards.filter((g) => guards.has(g)) };
      if (conflict.leases.length > 0 || conflict.guards.length > 0) {
        throw new MediatorError('conflict', 'another change holds these records or wrote this version first', { conflict });
      }
      freeze(change);
      changes.set(change.id, change);
      for (const l of change.leases) leases.set(l, { changeId: change.id, at: change.at });
      for (const g of change.guards) guards.add(g);
      for (const h of change.history) byRef.add(h.ref, change.id);
      unfinished.add(change.id);
    },
    abort: async (id) => {
      const c = changes.get(id);
      if (!c) return;
      release(c);
      for (const g of c.guards) guards.delete(g);
      for (const h of c.history) byRef.delete(h.ref, id);
      changes.delete(id);
      unfinished.delete(id);
    },
    finish: async (id) => {
      const c = changes.get(id);
      if (!c || c.applied) return;
      release(c);
      changes.set(id, freeze({ ...c, applied: true }));
      unfinished.delete(id);
      if (c.unpublished.length > 0) pending.add(id);
    },
    get: async (id) => changes.get(id) ?? null,
    unfinished: async (limit) => inSeqOrder(unfinished).slice(0, limit),
    leaseHolder: async (lease) => {
      const held = leases.get(lease);
      return held ? { leaseId: held.changeId, ...held } : null;
    },
    dropOrphanLease: async (leaseId) => {
      for (const [l, held] of leases) if (held.changeId === leaseId && !changes.has(leaseId)) leases.delete(l);
    },
    history: async (kind, id) => {
      const ref = historyRef(kind, id);
      const entries = byRef.pick(ref, changes).flatMap((c) => c.history.filter((h) => h.ref === ref).map((h) => historyEntryOf(c, h)));
      return entries.sort((a, b) => a.version - b.version);
    },
    allHistory: async (o) => {
      const all = [...changes.values()].sort((a, b) => b.seq - a.seq).filter((c) => !o.since || c.at >= o.since);
      return page(all.flatMap((c) => c.history.map((h) => historyEntryOf(c, h))), o.offset, o.count);
    },
    historySince: async (o) => {
      const after = [...changes.values()].filter((c) => !o.since || c.at >= o.since).sort((a, b) => (a.at === b.at ? a.seq - b.seq : a.at < b.at ? -1 : 1));
      return after.flatMap((c) => c.history.map((h) => historyEntryOf(c, h))).slice(0, o.count);
    },
  };
  const state: MemoryOutboxState = { changes, pending, unfinished, freeze };
  return { changes: log, outbox: memoryOutbox(state, newClaimant('memory', 30000)), outboxFor: (claimant) => memoryOutbox(state, claimant) };
}
