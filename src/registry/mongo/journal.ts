/**
 * Journal, outbox and claims on MongoDB/FerretDB (design in ../store.ts).
 * FerretDB does not enforce unique indexes on array fields, so a change's guards are separate
 * documents (`_id` = guard) inserted just before the change: a duplicate means another change
 * already produced that record version. Guards whose change never got written (crash between the
 * two inserts) are recognised by their missing change and removed after a grace period.
 */
import type { Collection, Db, Document, MongoServerError } from 'mongodb';
import { MediatorError } from '../../core/errors';
import type { OutboxEvent } from '../../core/types';
import type { Change, ClaimStore, JournalStore, OutboxStore } from '../store';
import type { collectionNames } from './indexes';

type Names = ReturnType<typeof collectionNames>;
const ORPHAN_GUARD_MS = 30_000;

interface JournalDoc {
  _id: string;
  seq: number;
  at: string;
  operation: string;
  actor: Change['actor'];
  reason?: string;
  guards: string[];
  /** Ops and events as JSON: opaque here, and free of FerretDB limits (nested arrays, dotted keys). */
  opsJson: string;
  eventsJson: string;
  applied: boolean;
  unpublished: string[];
  published: boolean;
}

function isDuplicate(err: unknown): err is MongoServerError {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

function toChange(d: JournalDoc): Change {
  return {
    id: d._id,
    seq: d.seq,
    at: d.at,
    operation: d.operation,
    actor: d.actor,
    ...(d.reason ? { reason: d.reason } : {}),
    guards: d.guards,
    ops: JSON.parse(d.opsJson) as Change['ops'],
    events: JSON.parse(d.eventsJson) as OutboxEvent[],
    applied: d.applied,
    unpublished: d.unpublished,
  };
}

async function takeGuards(guards: Collection<Document>, journal: Collection<JournalDoc>, change: Change): Promise<void> {
  const taken: string[] = [];
  try {
    for (const g of change.guards) {
      await guards.insertOne({ _id: g as unknown as Document['_id'], changeId: change.id, at: Date.now() });
      taken.push(g);
    }
  } catch (err) {
    await guards.deleteMany({ _id: { $in: taken as unknown as Document['_id'][] }, changeId: change.id });
    if (!isDuplicate(err)) {
      throw err;
    }
    const blocking = change.guards[taken.length] as string;
    const holder = await guards.findOne({ _id: blocking as unknown as Document['_id'] });
    if (holder && Date.now() - Number(holder.at) > ORPHAN_GUARD_MS && !(await journal.findOne({ _id: String(holder.changeId) }))) {
      await guards.deleteOne({ _id: blocking as unknown as Document['_id'], changeId: holder.changeId });
    }
    throw new MediatorError('conflict', 'concurrent change on the same record', { guards: change.guards });
  }
}

/**
 * Journal store over MongoDB.
 * @param db - database
 * @param names - collection names
 */
export function mongoJournal(db: Db, names: Names): JournalStore {
  const journal = db.collection<JournalDoc>(names.journal);
  const guards = db.collection(names.guards);
  const counters = db.collection<{ _id: string; n: number }>(names.counters);
  return {
    async append(change) {
      const ctr = await counters.findOneAndUpdate({ _id: 'journal' }, { $inc: { n: 1 } }, { upsert: true, returnDocument: 'after' });
      const seq = ctr?.n ?? 0;
      await takeGuards(guards, journal, change);
      const doc: JournalDoc = {
        _id: change.id, seq, at: change.at, operation: change.operation, actor: JSON.parse(JSON.stringify(change.actor)) as Change['actor'],
        ...(change.reason ? { reason: change.reason } : {}),
        guards: change.guards, opsJson: JSON.stringify(change.ops), eventsJson: JSON.stringify(change.events),
        applied: false, unpublished: change.unpublished, published: change.unpublished.length === 0,
      };
      try {
        await journal.insertOne(doc);
      } catch (err) {
        await guards.deleteMany({ changeId: change.id });
        throw isDuplicate(err) ? new MediatorError('conflict', 'change already recorded', { guards: change.guards }) : err;
      }
      return { ...change, seq };
    },
    async markApplied(id) {
      await journal.updateOne({ _id: id }, { $set: { applied: true } });
    },
    async unapplied(limit) {
      return (await journal.find({ applied: false }).sort({ seq: 1 }).limit(limit).toArray()).map(toChange);
    },
    async get(id) {
      const d = await journal.findOne({ _id: id });
      return d ? toChange(d) : null;
    },
  };
}

/**
 * Outbox over the journal: applied, unpublished changes in seq order.
 * @param db - database
 * @param names - collection names
 */
export function mongoOutbox(db: Db, names: Names): OutboxStore {
  const journal = db.collection<JournalDoc>(names.journal);
  return {
    async pending(limit) {
      const docs = await journal.find({ published: false, applied: true }).sort({ seq: 1 }).limit(limit).toArray();
      const events = docs.flatMap((d) => (JSON.parse(d.eventsJson) as OutboxEvent[]).filter((e) => d.unpublished.includes(e.id)));
      return events.slice(0, limit);
    },
    async markPublished(ids) {
      if (ids.length === 0) {
        return;
      }
      // Arrays are rewritten whole: FerretDB ignores $pull with conditions.
      for (const d of await journal.find({ unpublished: { $in: ids } }).toArray()) {
        const rest = d.unpublished.filter((e) => !ids.includes(e));
        await journal.updateOne({ _id: d._id }, { $set: { unpublished: rest, published: rest.length === 0 } });
      }
    },
  };
}

/**
 * Leases: insert to take a free key, conditional update to take over an expired one.
 * @param db - database
 * @param names - collection names
 */
export function mongoClaims(db: Db, names: Names): ClaimStore {
  const claims = db.collection<{ _id: string; owner: string; expiresAt: number }>(names.claims);
  return {
    async tryAcquire(key, owner, expiresAt, now) {
      try {
        await claims.insertOne({ _id: key, owner, expiresAt: expiresAt.getTime() });
        return true;
      } catch (err) {
        if (!isDuplicate(err)) {
          throw err;
        }
      }
      const r = await claims.updateOne({ _id: key, $or: [{ expiresAt: { $lt: now.getTime() } }, { owner }] }, { $set: { owner, expiresAt: expiresAt.getTime() } });
      return r.matchedCount === 1;
    },
    async release(keys, owner) {
      await claims.deleteMany({ _id: { $in: keys }, owner });
    },
  };
}
