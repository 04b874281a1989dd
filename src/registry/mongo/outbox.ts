/**
 * The registry's outbox on MongoDB: the outbox documents written with each change (outbox-docs.ts),
 * claimed by the process that publishes them, so several processes relay at once.
 *
 * - `pending` claims outbox documents in (`seq`, `part`) order (storage/outbox-claims.ts: three
 *   commands a batch when no other process competes). A document's keys are the topic and key of
 *   each of its events: it is never handed out while an earlier document still waiting shares one of
 *   them and is held by another process, still in flight, or skipped — so the events of one person
 *   reach Kafka in commit order whichever process publishes them (core/outbox-claims.ts explains the walk).
 * - `markPublished` empties the documents whose events were all published to tombstones in ONE
 *   `updateMany` (outbox-docs.ts says why not a delete); only a document split across batches (more
 *   events than a batch) has its published ids pulled instead.
 * - `pending` leaves out the documents of events the relay says it is still publishing or marking
 *   (it reads the next batch meanwhile), counting their events against the limit.
 *   The change documents keep their events for the retention period (audit, replay).
 * - `prune` removes the events and writes of published changes older than the retention period;
 *   their history stays.
 */
import type { Collection, Document } from 'mongodb';
import { newClaimant } from '../../core/outbox-claims';
import type { Claimant } from '../../core/outbox-claims';
import { claimBatch, releaseClaims } from '../../storage/outbox-claims';
import type { ClaimQuery } from '../../storage/outbox-claims';
import { outboxEventOf } from '../change-events';
import { historyRef } from '../keys';
import type { Change, OutboxStore } from '../store';
import { fromDoc, inFlight } from './change-docs';
import { changeOfOutboxId, eventsOfOutboxDoc, tombstonesBefore, tombstoneUpdate } from './outbox-docs';

/** Changes pruned per command. */
const PRUNE_PAGE = 1000;

/** Outbox documents still to publish. */
const WAITING = { pending: true };

function claimQuery(coll: Collection<Document>): ClaimQuery {
  return {
    waiting: WAITING,
    sort: { seq: 1, part: 1 },
    keysOf: (d) => d.keys as string[],
    sizeOf: (d) => (d.unpublished as string[]).length,
    // A change in flight is not applied yet: its events wait, and so do later ones on their keys.
    notReady: async (ids) => {
      const running = await inFlight(coll, [...new Set(ids.map(changeOfOutboxId))]);
      return new Set(ids.filter((id) => running.has(changeOfOutboxId(id))));
    },
    wholeWindow: true,
  };
}

/** The seqs, among those given, of changes with an outbox document still waiting. */
async function waitingSeqs(coll: Collection<Document>, seqs: number[]): Promise<Set<number>> {
  if (seqs.length === 0) return new Set();
  const docs = await coll.find({ ...WAITING, seq: { $in: seqs } }, { projection: { seq: 1 } }).toArray();
  return new Set(docs.map((d) => d.seq as number));
}

/** Outbox documents this process is still publishing or marking, and how many events they hold. */
interface Busy {
  ids: string[];
  events: number;
}

/**
 * Publish bookkeeping: the documents handed out, by event id, so a batch is marked in one command.
 * @param coll - the changes collection
 */
function marker(coll: Collection<Document>): { handOut(docs: Document[]): void; mark(eventIds: string[]): Promise<void>; busy(eventIds?: ReadonlySet<string>): Busy } {
  const handed = new Map<string, { docId: string; unpublished: string[] }>();
  // Documents whose every event was published and is being marked now: events per document.
  const marking = new Map<string, number>();
  return {
    // Those being marked, and those holding events the relay says it is still publishing.
    busy: (eventIds) => {
      const docs = new Map(marking);
      for (const id of eventIds ?? []) {
        const h = handed.get(id);
        if (h) docs.set(h.docId, h.unpublished.length);
      }
      return { ids: [...docs.keys()], events: [...docs.values()].reduce((n, k) => n + k, 0) };
    },
    handOut: (docs) => {
      for (const d of docs) for (const id of d.unpublished as string[]) handed.set(id, { docId: String(d._id), unpublished: d.unpublished as string[] });
    },
    mark: async (eventIds) => {
      if (eventIds.length === 0) return;
      const published = new Set(eventIds);
      // Documents published whole, with their number of events.
      const whole = new Map<string, number>();
      let split = false;
      for (const id of eventIds) {
        const h = handed.get(id);
        handed.delete(id);
        if (h && h.unpublished.every((e) => published.has(e))) whole.set(h.docId, h.unpublished.length);
        else split = true;
      }
      const now = new Date().toISOString();
      if (whole.size > 0) {
        const ids = [...whole.keys()];
        for (const [id, n] of whole) marking.set(id, n);
        try {
          await coll.updateMany({ _id: { $in: ids as never[] }, ...WAITING }, tombstoneUpdate(now));
        } finally {
          for (const id of ids) marking.delete(id);
        }
      }
      if (!split) return;
      await coll.updateMany({ ...WAITING, unpublished: { $in: eventIds } }, { $pullAll: { unpublished: eventIds } as never });
      await coll.updateMany({ ...WAITING, unpublished: { $size: 0 } }, tombstoneUpdate(now));
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
    pending: async (limit, busyEvents) => {
      // Documents being published or marked are left out, their events still counted against the
      // limit (as if handed out again, for the relay to skip): their claims are not tried again, and
      // the claim of the rest then takes every document chosen, so it needs no read-back.
      const busy = marks.busy(busyEvents);
      if (limit - busy.events <= 0) return [];
      const docs = await claimBatch(coll, claimant, { ...query, skip: busy.ids }, limit - busy.events);
      marks.handOut(docs);
      return docs.flatMap(eventsOfOutboxDoc);
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
      // Every outbox document, its change committed or finished: its ids and time only.
      const docs = await coll.find(WAITING, { projection: { unpublished: 1, at: 1 } }).toArray();
      const oldestAt = docs.map((d) => String(d.at)).sort()[0] ?? null;
      return { count: docs.reduce((n, d) => n + (d.unpublished as string[]).length, 0), oldestAt };
    },
    release: () => releaseClaims(coll, claimant.holder, WAITING),
    prune: async (before) => {
      // Tombstones of documents published before the cut go; they count for nothing (no change lost anything).
      await coll.deleteMany(tombstonesBefore(before));
      let pruned = 0;
      for (;;) {
        // Committed before the cut, still holding events or writes.
        const olds = await coll.find({ t: 'c', at: { $lt: before }, $or: [{ events: { $exists: true } }, { writes: { $exists: true } }] }, { projection: { _id: 1, seq: 1 } }).limit(PRUNE_PAGE).toArray();
        const ids = olds.map((d) => String(d._id));
        // A change still in flight keeps its writes, whatever its age: recovery needs them; one whose
        // events still wait to be published keeps them for the retained-events API.
        const running = await inFlight(coll, ids);
        const waiting = await waitingSeqs(coll, olds.map((d) => d.seq as number));
        const done = olds.filter((d) => !running.has(String(d._id)) && !waiting.has(d.seq as number)).map((d) => String(d._id));
        if (done.length > 0) await coll.updateMany({ _id: { $in: done as never[] } }, { $unset: { events: '', writes: '' } });
        pruned += done.length;
        if (ids.length < PRUNE_PAGE || done.length === 0) return pruned;
      }
    },
  };
}
