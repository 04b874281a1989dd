/**
 * Journal, outbox and claims on MongoDB/FerretDB (design in ../store.ts).
 * FerretDB does not enforce unique indexes on array fields, so a change's guards are separate
 * documents (`_id` = guard) inserted just before the change: a duplicate means another change
 * already produced that record version. Guards whose change never got written (crash between the
 * two inserts) are recognised by their missing change and removed after a grace period.
 *
 * A change's ops and events (the bulky part: whole documents) live in a separate `bodies` document
 * with the same `_id`, written before the journal document (still the single commit point; a body
 * without its journal document is an uncommitted leftover, never read). The journal document stays
 * small because markApplied/markPublished update it and FerretDB's updates scan the collection in
 * SQL: the cost follows the collection's size in bytes. Journal documents of the previous layout
 * carry their JSON inline and are still read.
 *
 * The journal holds only changes in flight. A finished change (applied, every event published) is
 * retired: its metadata moves to `done` (who did what, when; read by `_id` only) and its body is
 * deleted (the history keeps every record version). The relay's and recovery's queries on flags,
 * which FerretDB answers by decoding the whole collection (3.3 s at 50,000 documents), so stay as
 * small as the backlog instead of growing with every change ever made.
 */
import type { Collection, Db, Document } from 'mongodb';
import { MediatorError } from '../../core/errors';
import type { OutboxEvent } from '../../core/types';
import type { Change, ClaimStore, JournalStore, OutboxStore } from '../store';
import { deleteIfStill, pointFiltersOnly } from './backend';
import { DUPLICATE_KEY, isDuplicateKey, upsertOnce } from '../../storage/errors';
import type { collectionNames } from './indexes';

type Names = ReturnType<typeof collectionNames>;
const ORPHAN_GUARD_MS = 30_000;

/** A retired change: the journal document's metadata, without flags and guards. */
type DoneDoc = Pick<JournalDoc, '_id' | 'seq' | 'at' | 'operation' | 'actor' | 'reason'>;

interface JournalDoc {
  _id: string;
  seq: number;
  at: string;
  operation: string;
  actor: Change['actor'];
  reason?: string;
  guards: string[];
  /** Previous layout only: ops and events inline (now in the body document). */
  opsJson?: string;
  eventsJson?: string;
  applied: boolean;
  unpublished: string[];
  published: boolean;
}

/** Ops and events as JSON: opaque here, and free of FerretDB limits (nested arrays, dotted keys). */
interface BodyDoc {
  _id: string;
  opsJson: string;
  eventsJson: string;
}

async function bodyOf(bodies: Collection<BodyDoc>, d: JournalDoc): Promise<{ opsJson: string; eventsJson: string }> {
  if (d.opsJson !== undefined && d.eventsJson !== undefined) {
    return { opsJson: d.opsJson, eventsJson: d.eventsJson };
  }
  const b = await bodies.findOne({ _id: d._id });
  if (!b) {
    throw new MediatorError('internal', 'journal change without its body', { changeId: d._id });
  }
  return b;
}

async function toChange(bodies: Collection<BodyDoc>, d: JournalDoc): Promise<Change> {
  const { opsJson, eventsJson } = await bodyOf(bodies, d);
  return {
    id: d._id,
    seq: d.seq,
    at: d.at,
    operation: d.operation,
    actor: d.actor,
    ...(d.reason ? { reason: d.reason } : {}),
    guards: d.guards,
    ops: JSON.parse(opsJson) as Change['ops'],
    events: JSON.parse(eventsJson) as OutboxEvent[],
    applied: d.applied,
    unpublished: d.unpublished,
  };
}

interface Collections {
  db: Db;
  journal: Collection<JournalDoc>;
  bodies: Collection<BodyDoc>;
  done: Collection<DoneDoc>;
  guards: Collection<Document>;
}

function collections(db: Db, names: Names): Collections {
  return { db, journal: db.collection(names.journal), bodies: db.collection(names.bodies), done: db.collection(names.done), guards: db.collection(names.guards) };
}

/**
 * Move a finished change out of the journal. Idempotent, in an order where a crash part-way leaves
 * either a finished journal document (moved again by `retireFinished`) or a body nobody reads.
 */
async function retire(c: Collections, d: JournalDoc): Promise<void> {
  const { _id, seq, at, operation, actor, reason } = d;
  try {
    await c.done.insertOne({ _id, seq, at, operation, actor, ...(reason ? { reason } : {}) });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
  }
  await c.journal.deleteOne({ _id });
  await c.bodies.deleteOne({ _id });
}

/** Remove guards a change took but did not commit, one point delete each (no scan on FerretDB). */
async function releaseGuards(c: Collections, guards: string[], changeId: string): Promise<void> {
  const pointOnly = await pointFiltersOnly(c.db);
  for (const g of guards) await deleteIfStill(c.guards, g, 'changeId', changeId, pointOnly);
}

/** Indexes of the documents a bulk insert found already present; rethrows any other failure. */
function duplicateIndexes(err: unknown): number[] {
  const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
  const list = (Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : []) as Array<{ index: number; code: number }>;
  if (list.length === 0 || list.some((w) => w.code !== DUPLICATE_KEY)) throw err;
  return list.map((w) => w.index);
}

/** Whether the change that inserted a guard was ever committed (in flight or retired). */
async function committed(c: Collections, changeId: string): Promise<boolean> {
  return (await c.journal.findOne({ _id: changeId }, { projection: { _id: 1 } })) !== null || (await c.done.findOne({ _id: changeId })) !== null;
}

async function takeGuards(c: Collections, change: Change): Promise<void> {
  const { guards } = c;
  const taken: string[] = [];
  try {
    for (const g of change.guards) {
      await guards.insertOne({ _id: g as unknown as Document['_id'], changeId: change.id, at: Date.now() });
      taken.push(g);
    }
  } catch (err) {
    await releaseGuards(c, taken, change.id);
    if (!isDuplicateKey(err)) {
      throw err;
    }
    const blocking = change.guards[taken.length] as string;
    const holder = await guards.findOne({ _id: blocking as unknown as Document['_id'] });
    if (holder && Date.now() - Number(holder.at) > ORPHAN_GUARD_MS && !(await committed(c, String(holder.changeId)))) {
      await guards.deleteOne({ _id: blocking as unknown as Document['_id'], changeId: holder.changeId });
    }
    throw new MediatorError('conflict', 'concurrent change on the same record', { guards: change.guards });
  }
}

/** Insert a change's body; an existing one is the same change appended again (the journal insert decides). */
async function insertBody(bodies: Collection<BodyDoc>, body: BodyDoc): Promise<void> {
  try {
    await bodies.insertOne(body);
  } catch (err) {
    if (!isDuplicateKey(err)) {
      throw err;
    }
  }
}

/**
 * Journal store over MongoDB.
 * @param db - database
 * @param names - collection names
 */
export function mongoJournal(db: Db, names: Names): JournalStore {
  const c = collections(db, names);
  const { journal, bodies } = c;
  const counters = db.collection<{ _id: string; n: number }>(names.counters);
  return {
    async append(change) {
      const ctr = await upsertOnce(() => counters.findOneAndUpdate({ _id: 'journal' }, { $inc: { n: 1 } }, { upsert: true, returnDocument: 'after' }));
      const seq = ctr?.n ?? 0;
      await takeGuards(c, change);
      await insertBody(bodies, { _id: change.id, opsJson: JSON.stringify(change.ops), eventsJson: JSON.stringify(change.events) });
      const doc: JournalDoc = {
        _id: change.id, seq, at: change.at, operation: change.operation, actor: JSON.parse(JSON.stringify(change.actor)) as Change['actor'],
        ...(change.reason ? { reason: change.reason } : {}),
        guards: change.guards,
        applied: false, unpublished: change.unpublished, published: change.unpublished.length === 0,
      };
      try {
        await journal.insertOne(doc);
      } catch (err) {
        await releaseGuards(c, change.guards, change.id);
        throw isDuplicateKey(err) ? new MediatorError('conflict', 'change already recorded', { guards: change.guards }) : err;
      }
      return { ...change, seq };
    },
    async markApplied(id) {
      const d = await journal.findOneAndUpdate({ _id: id }, { $set: { applied: true } }, { returnDocument: 'after' });
      if (d?.published) await retire(c, d);
    },
    async unapplied(limit) {
      const docs = await journal.find({ applied: false }).sort({ seq: 1 }).limit(limit).toArray();
      return Promise.all(docs.map((d) => toChange(bodies, d)));
    },
    async get(id) {
      const d = await journal.findOne({ _id: id });
      return d ? toChange(bodies, d) : null;
    },
    async retireFinished(limit) {
      const docs = await journal.find({ applied: true, published: true }).limit(limit).toArray();
      for (const d of docs) await retire(c, d);
      return docs.length;
    },
  };
}

/**
 * Outbox over the journal: applied, unpublished changes in seq order.
 * @param db - database
 * @param names - collection names
 */
export function mongoOutbox(db: Db, names: Names): OutboxStore {
  const c = collections(db, names);
  const { journal, bodies } = c;
  return {
    async pending(limit) {
      const docs = await journal.find({ published: false, applied: true }).sort({ seq: 1 }).limit(limit).toArray();
      const withBodies = await Promise.all(docs.map(async (d) => ({ d, b: await bodyOf(bodies, d) })));
      const events = withBodies.flatMap(({ d, b }) => (JSON.parse(b.eventsJson) as OutboxEvent[]).filter((e) => d.unpublished.includes(e.id)));
      return events.slice(0, limit);
    },
    async lag() {
      // Journal documents are small (bodies live apart): reading the backlog's flags is cheap.
      const docs = await journal.find({ published: false }, { projection: { unpublished: 1, at: 1, seq: 1 } }).sort({ seq: 1 }).toArray();
      return { count: docs.reduce((n, d) => n + d.unpublished.length, 0), oldestAt: docs[0]?.at ?? null };
    },
    async markPublished(ids) {
      if (ids.length === 0) {
        return;
      }
      // Arrays are rewritten whole: FerretDB ignores $pull with conditions.
      for (const d of await journal.find({ unpublished: { $in: ids } }).toArray()) {
        const rest = d.unpublished.filter((e) => !ids.includes(e));
        if (rest.length === 0 && d.applied) {
          // Finished: retired at once, without first recording "published" (a crash before the
          // journal document is deleted only publishes its events again: delivery is at least once).
          await retire(c, d);
          continue;
        }
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
  const takeOver = async (key: string, owner: string, expiresAt: Date, now: Date): Promise<boolean> => {
    const r = await claims.updateOne({ _id: key, $or: [{ expiresAt: { $lt: now.getTime() } }, { owner }] }, { $set: { owner, expiresAt: expiresAt.getTime() } });
    return r.matchedCount === 1;
  };
  return {
    async tryAcquire(key, owner, expiresAt, now) {
      try {
        await claims.insertOne({ _id: key, owner, expiresAt: expiresAt.getTime() });
        return true;
      } catch (err) {
        if (!isDuplicateKey(err)) {
          throw err;
        }
      }
      return takeOver(key, owner, expiresAt, now);
    },
    async tryAcquireMany(keys, owner, expiresAt, now) {
      if (keys.length === 0) return [];
      // One unordered insert takes every free key; only the keys already held are then tried one by one.
      let taken: number[];
      try {
        await claims.insertMany(keys.map((k) => ({ _id: k, owner, expiresAt: expiresAt.getTime() })), { ordered: false });
        return keys;
      } catch (err) {
        taken = duplicateIndexes(err);
      }
      const got = keys.filter((_, i) => !taken.includes(i));
      for (const i of taken) if (await takeOver(keys[i] as string, owner, expiresAt, now)) got.push(keys[i] as string);
      return got;
    },
    async release(keys, owner) {
      await claims.deleteMany({ _id: { $in: keys }, owner });
    },
  };
}
