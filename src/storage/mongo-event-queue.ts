/**
 * The event queue on MongoDB: one document per event not part of an identity change (accepted
 * Bundles for the Instant OpenHIE `2xx` topic), in arrival order (`_id` is an ObjectId, increasing
 * per process and by time across processes — these events have no per-key order to keep), deleted
 * once published. Several processes relay it at once: each claims the documents it publishes
 * (outbox-claims.ts), so an event is normally published once.
 */
import { ObjectId } from 'mongodb';
import type { Collection, Db, Document } from 'mongodb';
import type { OutboxEvent } from '../core/types';
import type { EventQueue, OutboxLag } from '../events/ports';
import { newClaimant } from '../core/outbox-claims';
import type { Claimant } from '../core/outbox-claims';
import { claimBatch, releaseClaims } from './outbox-claims';

interface QueuedDoc {
  _id: ObjectId;
  eventId: string;
  at: string;
  event: OutboxEvent;
}

/** A MongoDB EventQueue. */
export class MongoEventQueue implements EventQueue {
  private readonly col: Collection<QueuedDoc>;

  /**
   * @param db - the database
   * @param collection - collection name
   * @param claimant - who claims documents to publish in this process
   */
  constructor(db: Db, collection = 'event_queue', private readonly claimant: Claimant = newClaimant('passerelle', 30000)) {
    this.col = db.collection<QueuedDoc>(collection);
  }

  async init(): Promise<void> {
    await this.col.createIndex({ eventId: 1 }, { name: 'eventId', unique: true });
  }

  async enqueue(event: OutboxEvent): Promise<void> {
    await this.col.insertOne({ _id: new ObjectId(), eventId: event.id, at: event.time, event: JSON.parse(JSON.stringify(event)) as OutboxEvent });
  }

  async pending(limit: number): Promise<OutboxEvent[]> {
    const docs = await claimBatch(this.col as unknown as Collection<Document>, this.claimant, { waiting: {}, sort: { _id: 1 } }, limit);
    return docs.map((d) => d.event as OutboxEvent);
  }

  async release(): Promise<void> {
    await releaseClaims(this.col as unknown as Collection<Document>, this.claimant.holder, {});
  }

  async markPublished(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.col.deleteMany({ eventId: { $in: ids } });
  }

  async lag(): Promise<OutboxLag> {
    const [count, oldest] = await Promise.all([this.col.countDocuments({}), this.col.find({}, { projection: { at: 1 } }).sort({ _id: 1 }).limit(1).next()]);
    return { count, oldestAt: oldest?.at ?? null };
  }
}
