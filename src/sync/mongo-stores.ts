/**
 * MongoDB adapters of the sync stores: `sync_state` (cursors and per-record channel state),
 * `sync_failures` (dead letters, also the DLQ outbox), `sync_runs` and `sync_events` (health-worker
 * events waiting for Kafka). Writes are by `_id`, with indexes created at start (one per command:
 * see audit/mongo.ts).
 */
import type { Collection, Db, Document, Filter } from 'mongodb';
import { newClaimant } from '../core/outbox-claims';
import type { Claimant } from '../core/outbox-claims';
import { CLAIM_FIELDS, claimBatch, releaseClaims } from '../storage/outbox-claims';
import type { OutboxEvent } from '../core/types';
import { startsWith } from '../storage/regex';
import { isDuplicateKey, upsertOnce } from '../storage/errors';
import { deadLetterEvent, deadLetterEventId, deadLetterId, newDeadLetter } from './dead-letters';
import type { ChannelEventStore, ChannelStateStore, DeadLetter, DeadLetterStore, FailureQuery, NewDeadLetter, SyncRun, SyncRunStore } from './ports';

type StateDoc = { _id: string; channel: string; key: string; value: unknown; updatedAt: string };
type FailureDoc = Omit<DeadLetter, 'id'> & { _id: string };
type RunDoc = Omit<SyncRun, 'id'> & { _id: string };
type EventDoc = { _id: string; seq: number; published: boolean; event: OutboxEvent };

const fromFailure = ({ _id, ...rest }: FailureDoc): DeadLetter => {
  // The relay's claim fields are not part of the dead letter.
  const { claimedBy: _b, claimUntil: _u, claimToken: _t, ...letter } = rest as typeof rest & Record<keyof typeof CLAIM_FIELDS, unknown>;
  return { id: _id, ...letter };
};
const fromRun = ({ _id, ...rest }: RunDoc): SyncRun => ({ id: _id, ...rest });

/** Channel state in `sync_state`. */
export class MongoChannelStateStore implements ChannelStateStore {
  private readonly col: Collection<StateDoc>;

  /** @param db - the database */
  constructor(db: Db) {
    this.col = db.collection<StateDoc>('sync_state');
  }

  async init(): Promise<void> {
    await this.col.createIndex({ channel: 1, key: 1 }, { name: 'channel_key' });
  }

  async get<T>(channel: string, key: string): Promise<T | null> {
    const d = await this.col.findOne({ _id: `${channel}|${key}` });
    return d ? (d.value as T) : null;
  }

  async put(channel: string, key: string, value: unknown): Promise<void> {
    await upsertOnce(() => this.col.replaceOne({ _id: `${channel}|${key}` }, { channel, key, value, updatedAt: new Date().toISOString() }, { upsert: true }));
  }

  async list<T>(channel: string, prefix: string): Promise<Array<{ key: string; value: T; updatedAt: string }>> {
    const docs = await this.col.find({ channel, key: startsWith(prefix) }).sort({ key: 1 }).toArray();
    return docs.map((d) => ({ key: d.key, value: d.value as T, updatedAt: d.updatedAt }));
  }
}

function failureFilter(q: FailureQuery): Filter<FailureDoc> {
  const f: Filter<FailureDoc> = {};
  if (q.channel !== undefined) f.channel = q.channel;
  if (q.resourceType !== undefined) f.resourceType = q.resourceType;
  if (q.resourceId !== undefined) f.resourceId = q.resourceId;
  if (q.status !== undefined) f.status = q.status;
  return f;
}

/** Dead letters in `sync_failures`. */
export class MongoDeadLetterStore implements DeadLetterStore {
  private readonly col: Collection<FailureDoc>;

  /** @param db - the database */
  /**
   * @param db - the database
   * @param claimant - who claims entries to publish in this process (several processes relay at once)
   */
  constructor(db: Db, private readonly claimant: Claimant = newClaimant('passerelle', 30000)) {
    this.col = db.collection<FailureDoc>('sync_failures');
  }

  async init(): Promise<void> {
    await this.col.createIndex({ channel: 1, status: 1, lastSeenAt: -1 }, { name: 'channel_status' });
    await this.col.createIndex({ resourceType: 1, resourceId: 1 }, { name: 'resource' });
    await this.col.createIndex({ lastSeenAt: -1 }, { name: 'lastSeen' });
    await this.col.createIndex({ published: 1, lastSeenAt: 1 }, { name: 'unpublished' });
    await this.col.createIndex({ eventId: 1 }, { name: 'eventId' });
  }

  async record(failure: NewDeadLetter, at: string): Promise<DeadLetter> {
    const id = deadLetterId(failure);
    return upsertOnce(async () => {
      const existing = await this.col.findOne({ _id: id });
      if (!existing) {
        const { id: _id, ...doc } = newDeadLetter(id, failure, at);
        await this.col.insertOne({ _id, ...doc });
        return newDeadLetter(id, failure, at);
      }
      // A payload that fails again: one more occurrence; published again only if it had been resolved.
      const again = existing.status === 'resolved' ? { published: false, eventId: deadLetterEventId(id, existing.retries, existing.occurrences + 1) } : {};
      const set = { reason: failure.reason, issues: failure.issues, lastSeenAt: at, status: 'open' as const, ...again };
      await this.col.updateOne({ _id: id }, { $set: set, $inc: { occurrences: 1 }, $unset: { resolvedAt: '' } });
      return fromFailure({ ...existing, ...set, occurrences: existing.occurrences + 1, resolvedAt: undefined });
    });
  }

  async get(id: string): Promise<DeadLetter | null> {
    const d = await this.col.findOne({ _id: id });
    return d ? fromFailure(d) : null;
  }

  async list(q: FailureQuery): Promise<{ total: number; items: DeadLetter[] }> {
    const filter = failureFilter(q);
    const [total, docs] = await Promise.all([this.col.countDocuments(filter), this.col.find(filter).sort({ lastSeenAt: -1, _id: 1 }).skip(q.offset).limit(q.limit).toArray()]);
    return { total, items: docs.map(fromFailure) };
  }

  async resolveRecords(channel: string, resourceType: string, resourceIds: string[], at: string): Promise<number> {
    if (resourceIds.length === 0) return 0;
    const r = await this.col.updateMany({ resourceType, resourceId: { $in: resourceIds }, channel, status: 'open' }, { $set: { status: 'resolved', resolvedAt: at } });
    return r.modifiedCount;
  }

  async resolve(id: string, at: string): Promise<void> {
    await this.col.updateOne({ _id: id }, { $set: { status: 'resolved', resolvedAt: at } });
  }

  async retried(id: string, failure: Pick<DeadLetter, 'stage' | 'reason' | 'issues'>, at: string): Promise<void> {
    // Conditional on the counts read, so two re-drives at once each publish under their own id.
    for (;;) {
      const d = await this.col.findOne({ _id: id }, { projection: { retries: 1, occurrences: 1 } });
      if (!d) return;
      const eventId = deadLetterEventId(id, d.retries + 1, d.occurrences);
      const r = await this.col.updateOne({ _id: id, retries: d.retries }, { $set: { ...failure, lastSeenAt: at, status: 'open', published: false, eventId }, $inc: { retries: 1 } });
      if (r.matchedCount === 1) return;
    }
  }

  async countOpen(channel: string): Promise<number> {
    return this.col.countDocuments({ channel, status: 'open' });
  }

  async pending(limit: number): Promise<OutboxEvent[]> {
    // Claimed per entry (several processes relay at once); an entry is one record: no order across entries.
    const docs = await claimBatch(this.col as unknown as Collection<Document>, this.claimant, { waiting: { published: false }, sort: { lastSeenAt: 1 } }, limit);
    return docs.map((d) => deadLetterEvent(fromFailure(d as FailureDoc)));
  }

  async release(): Promise<void> {
    await releaseClaims(this.col as unknown as Collection<Document>, this.claimant.holder, { published: false });
  }

  async markPublished(ids: string[]): Promise<void> {
    // By event id: an entry to be published again meanwhile has a new one and stays unpublished.
    if (ids.length > 0) await this.col.updateMany({ eventId: { $in: ids } }, { $set: { published: true }, $unset: CLAIM_FIELDS });
  }
}

/** Runs in `sync_runs`. */
export class MongoSyncRunStore implements SyncRunStore {
  private readonly col: Collection<RunDoc>;

  /** @param db - the database */
  constructor(db: Db) {
    this.col = db.collection<RunDoc>('sync_runs');
  }

  async init(): Promise<void> {
    await this.col.createIndex({ channel: 1, startedAt: -1 }, { name: 'channel_started' });
    await this.col.createIndex({ status: 1 }, { name: 'status' });
  }

  async save(run: SyncRun): Promise<void> {
    const { id, ...doc } = run;
    await upsertOnce(() => this.col.replaceOne({ _id: id }, doc, { upsert: true }));
  }

  async latest(channel: string): Promise<{ last: SyncRun | null; lastCaughtUp: SyncRun | null }> {
    const [last, lastCaughtUp] = await Promise.all([
      this.col.find({ channel }).sort({ startedAt: -1 }).limit(1).next(),
      this.col.find({ channel, caughtUp: true }).sort({ startedAt: -1 }).limit(1).next(),
    ]);
    return { last: last ? fromRun(last) : null, lastCaughtUp: lastCaughtUp ? fromRun(lastCaughtUp) : null };
  }

  async failInterrupted(at: string): Promise<number> {
    const r = await this.col.updateMany({ status: 'running' }, { $set: { status: 'failed', finishedAt: at, error: 'interrupted: the process stopped during the run' } });
    return r.modifiedCount;
  }
}

let sequence = 0;

/** Channel events in `sync_events`. */
export class MongoChannelEventStore implements ChannelEventStore {
  private readonly col: Collection<EventDoc>;

  /**
   * @param db - the database
   * @param claimant - who claims events to publish in this process (several processes relay at once)
   */
  constructor(db: Db, private readonly claimant: Claimant = newClaimant('passerelle', 30000)) {
    this.col = db.collection<EventDoc>('sync_events');
  }

  async init(): Promise<void> {
    await this.col.createIndex({ published: 1, seq: 1 }, { name: 'unpublished' });
  }

  async add(event: OutboxEvent): Promise<boolean> {
    try {
      // seq keeps the events of one health worker in the order they were stored.
      await this.col.insertOne({ _id: event.id, seq: Date.now() * 1000 + (sequence++ % 1000), published: false, event });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async has(id: string): Promise<boolean> {
    return (await this.col.countDocuments({ _id: id }, { limit: 1 })) > 0;
  }

  async pending(limit: number): Promise<OutboxEvent[]> {
    // A health worker's role events are several documents: claimed in seq order with their key, so
    // none goes out ahead of an earlier one another process holds (core/outbox-claims.ts).
    const docs = await claimBatch(this.col as unknown as Collection<Document>, this.claimant, {
      waiting: { published: false }, sort: { seq: 1 }, keyFields: { 'event.topic': 1, 'event.key': 1 },
      keysOf: (d) => [`${String(d.event?.topic)}|${String(d.event?.key)}`],
    }, limit);
    return docs.map((d) => d.event as OutboxEvent);
  }

  async release(): Promise<void> {
    await releaseClaims(this.col as unknown as Collection<Document>, this.claimant.holder, { published: false });
  }

  async markPublished(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.col.updateMany({ _id: { $in: ids } }, { $set: { published: true }, $unset: CLAIM_FIELDS });
  }

  /** Retention: delete role events published before `before` (ISO 8601; by event time). */
  async prune(before: string): Promise<number> {
    return (await this.col.deleteMany({ published: true, 'event.time': { $lt: before } })).deletedCount;
  }
}
