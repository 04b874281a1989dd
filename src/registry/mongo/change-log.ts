/**
 * The change log on MongoDB (design in ../store.ts), one collection holding two kinds of document:
 * changes (`t: 'c'`: writes, history, events, guards) and lease documents (`t: 'l'`, `_id` =
 * `lease:<change id>`: the change's lease keys under a unique multikey index). A commit is ONE ordered
 * insert of the lease document then the change; a finish is ONE delete of the lease document: a change
 * is finished (applied) exactly when its lease document is gone, so nothing else is written. The writes
 * a change keeps for recovery stay with it until the retention job clears them.
 *
 * Why a separate lease document rather than a field of the change removed at finish: the local
 * MongoDB stand-in keeps unique-index entries of values removed by an update (MongoDB removes them),
 * so a lease released by `$unset` would block its keys forever there; a deleted document's entries
 * are removed by both. The test store.mongo.int.test.ts pins MongoDB's behaviour on this point.
 */
import type { Collection, Document } from 'mongodb';
import { MongoServerError } from 'mongodb';
import { MediatorError } from '../../core/errors';
import { DUPLICATE_KEY } from '../../storage/errors';
import type { OutboxEvent } from '../../core/types';
import { outboxEventOf, pendingEventsOf } from '../change-events';
import { historyRef } from '../keys';
import { historyEntryOf } from '../history';
import type { HistoryEntry } from '../ports';
import type { Change, ChangeLog, CommitConflict, OutboxStore } from '../store';

const leaseDocId = (changeId: string): string => `lease:${changeId}`;
/** What a history entry is built from (never the writes a change keeps for recovery). */
const HISTORY_FIELDS = { history: 1, at: 1, operation: 1, actor: 1 } as const;

const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function toDoc(c: Change): Document {
  // Its leases live in its lease document only: here they would stay in the unique index for good.
  // No empty `guards` array either: every empty array is the same key (undefined) of a unique index.
  // Whether it is applied is whether its lease document still exists.
  const { leases: _leases, guards, applied: _applied, ...rest } = c;
  return { _id: c.id, t: 'c', ...plain(rest), ...(guards.length > 0 ? { guards } : {}), ...(c.unpublished.length > 0 ? { pending: true } : {}) };
}

function fromDoc(d: Document | null, applied: boolean): Change | null {
  if (!d) return null;
  const { _id: _i, t: _t, pending: _p, ...rest } = d;
  return { writes: { sources: [], goldens: [], xrefPut: [], xrefDel: [] }, leases: [], guards: [], ...rest, applied } as unknown as Change;
}

/** Which of these changes are still in flight (their lease document exists). */
async function inFlight(coll: Collection<Document>, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  return new Set((await coll.find({ _id: { $in: ids.map(leaseDocId) as never[] } }, { projection: { change: 1 } }).toArray()).map((d) => String(d.change)));
}

/** Which of the change's leases or guards other changes hold (read only after a refused commit). */
async function conflictOf(coll: Collection<Document>, change: Change): Promise<CommitConflict> {
  const [leaseDocs, guardDocs] = await Promise.all([
    change.leases.length > 0 ? coll.find({ t: 'l', leases: { $in: change.leases }, change: { $ne: change.id } }, { projection: { leases: 1 } }).toArray() : [],
    change.guards.length > 0 ? coll.find({ t: 'c', guards: { $in: change.guards }, _id: { $ne: change.id as never } }, { projection: { guards: 1 } }).toArray() : [],
  ]);
  const leases = new Set(leaseDocs.flatMap((d) => d.leases as string[]));
  const guards = new Set(guardDocs.flatMap((d) => d.guards as string[]));
  return { leases: change.leases.filter((l) => leases.has(l)), guards: change.guards.filter((g) => guards.has(g)) };
}

/**
 * The change log and its outbox view over one collection.
 * @param coll - the changes collection
 */
export function mongoChangeLog(coll: Collection<Document>): { changes: ChangeLog; outbox: OutboxStore } {
  const changes: ChangeLog = {
    commit: async (change) => {
      // Every change has a lease document, which marks it in flight; an empty `leases` is left out
      // (all empty arrays would be one key of the unique index).
      const lease = { _id: leaseDocId(change.id), t: 'l', change: change.id, at: change.at, ...(change.leases.length > 0 ? { leases: change.leases } : {}) };
      try {
        await coll.insertMany([lease as Document, toDoc(change)], { ordered: true });
      } catch (err) {
        if (!(err instanceof MongoServerError) || err.code !== DUPLICATE_KEY) throw err;
        // The lease document went in if the change failed on a guard: take it back (nothing left behind).
        await coll.deleteOne({ _id: leaseDocId(change.id) as never, change: change.id });
        const conflict = await conflictOf(coll, change);
        throw new MediatorError('conflict', 'another change holds these records or wrote this version first', { conflict });
      }
    },
    abort: async (id) => {
      await coll.deleteMany({ _id: { $in: [id, leaseDocId(id)] as never[] } });
    },
    finish: async (id) => {
      await coll.deleteOne({ _id: leaseDocId(id) as never });
    },
    get: async (id) => {
      const [doc, running] = await Promise.all([coll.findOne({ _id: id as never, t: 'c' }), inFlight(coll, [id])]);
      return fromDoc(doc, !running.has(id));
    },
    unfinished: async (limit) => {
      const leases = await coll.find({ t: 'l' }, { projection: { change: 1 } }).sort({ at: 1 }).limit(limit).toArray();
      const docs = await coll.find({ _id: { $in: leases.map((l) => l.change as never) }, t: 'c' }).toArray();
      return docs.map((d) => fromDoc(d, false) as Change).sort((a, b) => a.seq - b.seq);
    },
    leaseHolder: async (lease) => {
      const d = await coll.findOne({ t: 'l', leases: lease }, { projection: { change: 1, at: 1 } });
      return d ? { leaseId: String(d._id), changeId: String(d.change), at: String(d.at) } : null;
    },
    dropOrphanLease: async (leaseId) => {
      await coll.deleteOne({ _id: leaseId as never, t: 'l' });
    },
    history: async (kind, id) => {
      const ref = historyRef(kind, id);
      const docs = await coll.find({ 'history.ref': ref }, { projection: HISTORY_FIELDS }).sort({ seq: 1 }).toArray();
      return docs.flatMap((d) => (d.history as Change['history']).filter((h) => h.ref === ref).map((h) => historyEntryOf(d as unknown as Change, h)));
    },
    allHistory: async (o) => {
      const match = { t: 'c', ...(o.since ? { at: { $gte: o.since } } : {}) };
      // Project before unwinding: a change keeps the documents it wrote (for recovery), and each
      // history entry would otherwise carry a copy of them through the pipeline.
      const [counted, docs] = await Promise.all([
        coll.aggregate([{ $match: match }, { $project: { _id: 0, 'history.ref': 1 } }, { $unwind: '$history' }, { $count: 'n' }]).toArray(),
        coll.aggregate([{ $match: match }, { $sort: { seq: -1 } }, { $project: HISTORY_FIELDS }, { $unwind: '$history' }, { $skip: o.offset }, { $limit: o.count }]).toArray(),
      ]);
      return { total: Number(counted[0]?.n ?? 0), items: docs.map((d) => historyEntryOf(d as unknown as Change, d.history as Change['history'][number])) };
    },
    historySince: async (o) => {
      const entries: HistoryEntry[] = [];
      if (o.count <= 0) return entries;
      // In the order of the { t, at } index; read change by change, only as far as the page goes.
      const cursor = coll.find({ t: 'c', ...(o.since ? { at: { $gte: o.since } } : {}) }, { projection: HISTORY_FIELDS }).sort({ at: 1 }).batchSize(Math.min(1000, o.count));
      try {
        for await (const d of cursor) {
          for (const h of d.history as Change['history']) entries.push(historyEntryOf(d as unknown as Change, h));
          if (entries.length >= o.count) break;
        }
      } finally {
        await cursor.close();
      }
      return entries.slice(0, o.count);
    },
  };
  const outbox: OutboxStore = {
    pending: async (limit) => {
      const docs = await coll.find({ pending: true }, { projection: { writes: 0 } }).sort({ seq: 1 }).limit(limit).toArray();
      // A change in flight is not applied yet: its events wait (no later change on its records can
      // have committed meanwhile, so per-key order holds).
      const running = await inFlight(coll, docs.map((d) => String(d._id)));
      const out: OutboxEvent[] = [];
      for (const d of docs) {
        if (running.has(String(d._id))) continue;
        out.push(...pendingEventsOf(fromDoc(d, true) as Change));
        if (out.length >= limit) break;
      }
      return out.slice(0, limit);
    },
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
    markPublished: async (eventIds) => {
      if (eventIds.length === 0) return;
      await coll.updateMany({ pending: true, unpublished: { $in: eventIds } }, { $pullAll: { unpublished: eventIds } as never });
      await coll.updateMany({ pending: true, unpublished: { $size: 0 } }, { $unset: { pending: '' } });
    },
  };
  return { changes, outbox };
}
