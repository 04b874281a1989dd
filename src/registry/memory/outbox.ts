/**
 * The outbox view of the in-memory change log: the same claims and order walk as MongoDB's
 * (core/outbox-claims.ts), so tests can run several relays, each with its own claimant, over one
 * twin as several processes would over one database — and the same retention.
 */
import { claimable, publishable } from '../../core/outbox-claims';
import type { Claimant, ClaimState } from '../../core/outbox-claims';
import { outboxEventOf, pendingEventsOf } from '../change-events';
import { historyRef } from '../keys';
import type { Change, OutboxStore } from '../store';

/** What the change log shares with its outbox views. */
export interface MemoryOutboxState {
  changes: Map<string, Change>;
  /** Applied changes with events to publish. */
  pending: Set<string>;
  /** Committed, not applied (in flight). */
  unfinished: Set<string>;
  freeze: <T>(v: T) => T;
  /** Claims on pending changes, by change id (shared by every view). */
  claims?: Map<string, ClaimState>;
}

const bySeq = (a: Change, b: Change): number => a.seq - b.seq || (a.id < b.id ? -1 : 1);

/** Committed changes with events to publish, in seq order (those in flight too: they block their keys). */
function waiting(s: MemoryOutboxState): Change[] {
  return [...s.pending, ...s.unfinished].map((id) => s.changes.get(id) as Change).filter((c) => c.unpublished.length > 0).sort(bySeq);
}

function keysOf(c: Change): string[] {
  return c.events.map((e) => `${e.topic}|${e.key}`);
}

/** Retention: strip the events and writes of published changes committed before `before`. */
function prune(s: MemoryOutboxState, before: string): number {
  let n = 0;
  for (const [id, c] of s.changes) {
    if (!c.applied || c.unpublished.length > 0 || c.at >= before || (c.events.length === 0 && c.writes.sources.length + c.writes.goldens.length + c.writes.xrefPut.length + c.writes.xrefDel.length === 0)) continue;
    s.changes.set(id, s.freeze({ ...c, events: [], writes: { sources: [], goldens: [], xrefPut: [], xrefDel: [] } }));
    n++;
  }
  return n;
}

/**
 * One claimant's view of the twin's outbox.
 * @param s - the change log's state
 * @param claimant - who claims, and for how long
 */
export function memoryOutbox(s: MemoryOutboxState, claimant: Claimant): OutboxStore {
  const claims = (s.claims ??= new Map());
  return {
    pending: async (limit) => {
      const now = Date.now();
      const entries = waiting(s).map((c) => ({ id: c.id, keys: keysOf(c), size: c.unpublished.length, change: c }));
      // Single-threaded: the claim cannot be lost between the walk and the write, so one walk suffices.
      const mine = publishable(entries, (e) => (s.pending.has(e.id) && claimable(claims.get(e.id) ?? {}, claimant.holder, now) ? 'mine' : 'blocking'), limit);
      for (const e of mine) claims.set(e.id, { claimedBy: claimant.holder, claimUntil: now + claimant.leaseMs });
      return mine.flatMap((e) => pendingEventsOf(e.change)).slice(0, limit);
    },
    retained: async (scope, p) => {
      const ref = 'mpiId' in scope ? historyRef('golden', scope.mpiId) : null;
      const matches = (c: Change): boolean => c.applied && c.seq > (p.after ?? -Infinity) && (ref ? c.history.some((h) => h.ref === ref) : c.at >= (scope as { since: string }).since);
      const page = [...s.changes.values()].filter(matches).sort(bySeq).slice(0, p.limit);
      return { events: page.flatMap((c) => c.events.map((e) => outboxEventOf(c, e))), next: page.length === p.limit ? (page[page.length - 1] as Change).seq : null };
    },
    lag: async () => {
      // Committed changes not yet finished hold waiting events too.
      const all = waiting(s);
      return { count: all.reduce((n, c) => n + c.unpublished.length, 0), oldestAt: all.map((c) => c.at).sort()[0] ?? null };
    },
    markPublished: async (eventIds) => {
      const done = new Set(eventIds);
      for (const id of [...s.pending]) {
        const c = s.changes.get(id) as Change;
        const left = c.unpublished.filter((e) => !done.has(e));
        if (left.length === c.unpublished.length) continue;
        s.changes.set(id, s.freeze({ ...c, unpublished: left }));
        if (left.length === 0) {
          s.pending.delete(id);
          claims.delete(id);
        }
      }
    },
    prune: async (before) => prune(s, before),
    release: async () => {
      for (const [id, c] of claims) if (c.claimedBy === claimant.holder) claims.delete(id);
    },
  };
}
