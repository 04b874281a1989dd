/**
 * The change log on MongoDB (design in ../store.ts), one collection holding three kinds of document:
 * changes (`t: 'c'`: writes, history, events, guards), lease documents (`t: 'l'`, `_id` =
 * `lease:<change id>`: the change's lease keys under a unique multikey index) and outbox documents.
 * A commit is ONE ordered insert of the lease document, the change and its outbox; a finish is ONE
 * delete of the lease document: a change is finished (applied) exactly when its lease document is
 * gone, so nothing else is written. The writes a change keeps for recovery stay with it until the
 * retention job clears them.
 *
 * The same insert writes the change's outbox documents (`t: 'o'`, outbox-docs.ts) after the change:
 * several processes relay them at once, each claiming the documents it publishes (`claimedBy`,
 * `claimUntil`, `claimToken`; storage/outbox-claims.ts), never one whose event keys an earlier
 * waiting document shares unless it publishes that one first (core/outbox-claims.ts).
 *
 * Retention (`prune`): a change older than the retention period loses its events and its
 * writes; its history stays (the registry's history is never removed), so `replay --mode retained`
 * covers the retention period and a snapshot covers anything older.
 *
 * Why a separate lease document rather than a field of the change removed at finish: the local
 * MongoDB stand-in keeps unique-index entries of values removed by an update (MongoDB removes them),
 * so a lease released by `$unset` would block its keys forever there; a deleted document's entries
 * are removed by both. The test store.mongo.int.test.ts pins MongoDB's behaviour on this point.
 */
import type { Collection, Document } from 'mongodb';
import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import { MediatorError } from '../../core/errors';
import { DUPLICATE_KEY, isDuplicateKey } from '../../storage/errors';
import type { Claimant } from '../../core/outbox-claims';
import { fromDoc, inFlight, leaseDocId, toDoc } from './change-docs';
import { outboxDocsOf, outboxIdsOf } from './outbox-docs';
import { mongoOutbox } from './outbox';
import { historyRef } from '../keys';
import { historyEntryOf } from '../history';
import type { HistoryEntry } from '../api';
import type { Change, ChangeLog, CommitConflict, OutboxStore } from '../store';

/** What a history entry is built from (never the writes a change keeps for recovery). */
const HISTORY_FIELDS = { history: 1, at: 1, operation: 1, actor: 1 } as const;

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

/** The index of the first document an ordered insert refused (-1 when the error does not say). */
function firstFailedIndex(err: MongoServerError): number {
  const errors = err instanceof MongoBulkWriteError ? err.writeErrors : undefined;
  const first = Array.isArray(errors) ? errors[0] : errors;
  return first?.index ?? -1;
}

/**
 * Write the outbox documents an unfinished change may lack: a commit is one ordered insert, and a
 * store that stopped in the middle of it can leave the change without them. Nothing of an unfinished
 * change has been published (its outbox waits until it is applied), so every event goes in again;
 * documents already there are kept. The change may finish and be published between the listing and
 * this insert: its documents are tombstones by then (outbox-docs.ts), still there, so nothing is
 * inserted twice.
 * @param coll - the changes collection
 * @param unfinished - committed, unfinished changes (every event unpublished)
 */
async function restoreOutboxes(coll: Collection<Document>, unfinished: Change[]): Promise<void> {
  const docs = unfinished.flatMap((c) => outboxDocsOf({ ...c, unpublished: c.events.map((e) => e.id) }));
  if (docs.length === 0) return;
  const have = new Set((await coll.find({ _id: { $in: docs.map((d) => d._id as never) } }, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)));
  const missing = docs.filter((d) => !have.has(String(d._id)));
  // A concurrent commit may insert the same documents: whoever is first, each goes in once.
  if (missing.length === 0) return;
  await coll.insertMany(missing, { ordered: false }).catch((err: unknown) => {
    if (!isDuplicateKey(err)) throw err;
  });
}

/**
 * The change log and its outbox view over one collection.
 * @param coll - the changes collection
 * @param claimant - who claims changes to publish in this process (default: a claimant of its own)
 */
export function mongoChangeLog(coll: Collection<Document>, claimant?: Claimant): { changes: ChangeLog; outbox: OutboxStore } {
  const changes: ChangeLog = {
    commit: async (change) => {
      // Every change has a lease document, which marks it in flight; an empty `leases` is left out
      // (all empty arrays would be one key of the unique index).
      const lease = { _id: leaseDocId(change.id), t: 'l', change: change.id, at: change.at, ...(change.leases.length > 0 ? { leases: change.leases } : {}) };
      try {
        await coll.insertMany([lease as Document, toDoc(change), ...outboxDocsOf(change)], { ordered: true });
      } catch (err) {
        if (!(err instanceof MongoServerError) || err.code !== DUPLICATE_KEY) throw err;
        // An outbox document already there: recovery restored it (restoreOutboxes) between this
        // insert's change and its outbox; the change is committed, and its outbox is whole.
        if (firstFailedIndex(err) >= 2) return;
        // The lease document went in if the change failed on a guard: take it back (nothing left behind).
        await coll.deleteOne({ _id: leaseDocId(change.id) as never, change: change.id });
        const conflict = await conflictOf(coll, change);
        throw new MediatorError('conflict', 'another change holds these records or wrote this version first', { conflict });
      }
    },
    abort: async (id) => {
      await coll.deleteMany({ $or: [{ _id: { $in: [id, leaseDocId(id)] as never[] } }, outboxIdsOf(id)] });
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
      const unfinished = docs.map((d) => fromDoc(d, false) as Change).sort((a, b) => a.seq - b.seq);
      await restoreOutboxes(coll, unfinished);
      return unfinished;
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
  return { changes, outbox: mongoOutbox(coll, claimant) };
}
