/**
 * The registry's outbox on MongoDB: the events of the change documents (change-log.ts), claimed
 * change by change by the process that publishes them, so several processes relay at once.
 *
 * - `pending` claims whole changes in `seq` order (storage/outbox-claims.ts: four commands a batch).
 *   A change's keys are the topic and key of each of its events: a change is never handed out while
 *   an earlier change still waiting shares one of them and is held by another process, still in flight,
 *   or skipped — so the events of one person reach Kafka in commit order whichever process publishes
 *   them (core/outbox-claims.ts explains the walk).
 * - `markPublished` clears a change's `pending` flag, its unpublished list and its claim in ONE
 *   `updateMany` for all the changes of the batch; only a change split across batches (more events
 *   than a batch) takes the two-step path.
 * - `prune` removes the events and writes of published changes older than the retention period;
 *   their history stays.
 */
import type { Collection, Document } from 'mongodb';
import { newClaimant } from '../../core/outbox-claims';
import type { Claimant } from '../../core/outbox-claims';
import { CLAIM_FIELDS, claimBatch, releaseClaims } from '../../storage/outbox-claims';
import type { ClaimQuery } from '../../storage/outbox-claims';
import { outboxEventOf, pendingEventsOf } from '../change-events';
import { historyRef } from '../keys';
import type { Change, EventRecord, OutboxStore } from '../store';
import { fromDoc, inFlight } from './change-docs';

/** Changes pruned per command. */
const PRUNE_PAGE = 1000;

/** The keys whose order a change must keep: topic and key of each of its events. */
export const eventKeysOf = (events: ReadonlyArray<Pick<EventRecord, 'topic' | 'key'>>): string[] => events.map((e) => `${e.topic}|${e.key}`);

function claimQuery(coll: Collection<Document>): ClaimQuery {
  return {
    waiting: { pending: true },
    sort: { seq: 1 },
    keysOf: (d) => eventKeysOf((d.events as EventRecord[] | undefined) ?? []),
    keyFields: { 'events.topic': 1, 'events.key': 1, unpublished: 1 },
    sizeOf: (d) => ((d.unpublished as string[] | undefined) ?? []).length,
    // A change in flight is not applied yet: its events wait, and so do later ones on its keys.
    notReady: (ids) => inFlight(coll, ids),
    projection: { writes: 0 },
  };
}

/**
 * Publish bookkeeping: the changes handed out, by event id, so a batch is marked in one command.
 * @param coll - the changes collection
 */
function marker(coll: Collection<Document>): { handOut(changes: Change[]): void; mark(eventIds: string[]): Promise<void> } {
  const handed = new Map<string, { changeId: string; unpublished: string[] }>();
  return {
    handOut: (changes) => {
      for (const c of changes) for (const id of c.unpublished) handed.set(id, { changeId: c.id, unpublished: c.unpublished });
    },
    mark: async (eventIds) => {
      if (eventIds.length === 0) return;
      const published = new Set(eventIds);
      const whole = new Set<string>();
      let split = false;
      for (const id of eventIds) {
        const h = handed.get(id);
        handed.delete(id);
        if (h && h.unpublished.every((e) => published.has(e))) whole.add(h.changeId);
        else split = true;
      }
      if (whole.size > 0) {
        await coll.updateMany({ _id: { $in: [...whole] as never[] }, pending: true }, { $set: { unpublished: [] }, $unset: { pending: '', ...CLAIM_FIELDS } });
      }
      if (!split) return;
      await coll.updateMany({ pending: true, unpublished: { $in: eventIds } }, { $pullAll: { unpublished: eventIds } as never });
      await coll.updateMany({ pending: true, unpublished: { $size: 0 } }, { $unset: { pending: '', ...CLAIM_FIELDS } });
    },
  };
}

/**
 * The outbox view of the change log.
 * @param coll - the changes collection
 * @param claimant - who claims changes in this process (default: a claimant of its own, 30 s leases)
 */
export function mongoOutbox(coll: Collection<Document>, claimant: Claimant = newClaimant('passerelle', 30000)): OutboxStore {
  const query = claimQuery(coll);
  const marks = marker(coll);
  return {
    pending: async (limit) => {
      const changes = (await claimBatch(coll, claimant, query, limit)).map((d) => fromDoc(d, true) as Change);
      marks.handOut(changes);
      return changes.flatMap(pendingEventsOf);
    },
    markPublished: (eventIds) => marks.mark(eventIds),
    retained: async (scope, p) => {
      const which = 'mpiId' in scope ? { 'history.ref': historyRef('golden', scope.mpiId) } : { at: { $gte: scope.since } };
      const docs = await coll.find({ t: 'c', ...which, ...(p.after !== null ? { seq: { $gt: p.after } } : {}) }, { projection: { writes: 0 } }).sort({ seq: 1 }).limit(p.limit).toArray();
      // Changes still in flight are not part of the record yet (they may be aborted).
      const running = await inFlight(coll, docs.map((d) => String(d._id)));
      const page = docs.map((d) => fromDoc(d, true) as Change);
      const events = page.filter((c) => !running.has(c.id)).flatMap((c) => c.events.map((e) => outboxEventOf(c, e)));
      return { events, next: docs.length === p.limit ? (page[page.length - 1] as Change).seq : null };
    },
    lag: async () => {
      // Every change with events to publish, committed or finished: its flags and time only.
      const docs = await coll.find({ t: 'c', pending: true }, { projection: { unpublished: 1, at: 1 } }).toArray();
      const oldestAt = docs.map((d) => String(d.at)).sort()[0] ?? null;
      return { count: docs.reduce((n, d) => n + (d.unpublished as string[]).length, 0), oldestAt };
    },
    release: () => releaseClaims(coll, claimant.holder, query.waiting),
    prune: async (before) => {
      let pruned = 0;
      for (;;) {
        // Published (no `pending`), committed before the cut, still holding events or writes.
        const olds = await coll.find({ t: 'c', at: { $lt: before }, pending: { $exists: false }, $or: [{ events: { $exists: true } }, { writes: { $exists: true } }] }, { projection: { _id: 1 } }).limit(PRUNE_PAGE).toArray();
        const ids = olds.map((d) => String(d._id));
        // A change still in flight keeps its writes, whatever its age: recovery needs them.
        const running = await inFlight(coll, ids);
        const done = ids.filter((id) => !running.has(id));
        if (done.length > 0) await coll.updateMany({ _id: { $in: done as never[] }, pending: { $exists: false } }, { $unset: { events: '', writes: '', unpublished: '' } });
        pruned += done.length;
        if (ids.length < PRUNE_PAGE || done.length === 0) return pruned;
      }
    },
  };
}
