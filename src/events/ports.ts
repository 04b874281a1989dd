import type { OutboxEvent, TopicName } from '../core/types';

/** Publishes identity events to the event bus; implemented by kafka/ and the in-memory twin. */
export interface EventPublisher {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Publish in order; resolves only when every event is acknowledged by all in-sync replicas. */
  publish(events: OutboxEvent[]): Promise<void>;
  /** Cheap liveness probe of the bus used by /ready. */
  ping(): Promise<boolean>;
  /** Topics this publisher needs that the broker does not have (empty when all exist or unknown). */
  missingTopics?(): Promise<string[]>;
}

/** How far the outbox is behind: what waits, and since when. */
export interface OutboxLag {
  /** Events committed but not yet published. */
  count: number;
  /** `time` of the oldest of them (ISO 8601), null when none waits. */
  oldestAt: string | null;
}

/** Where events wait between the atomic write and the bus (the registry store implements it). */
export interface Outbox {
  /** Unpublished events in journal order (order per key preserved). */
  pending(limit: number): Promise<OutboxEvent[]>;
  markPublished(ids: string[]): Promise<void>;
  /** The backlog, for /metrics and /ready (optional: stores that cannot tell cheaply omit it). */
  lag?(): Promise<OutboxLag>;
}

/** Kafka topic name per logical topic (configurable, contracts.md §3). */
export type TopicTable = Readonly<Record<TopicName, string>>;

/** A publish failed because a topic does not exist (production: operators create topics). */
export class MissingTopicError extends Error {
  /**
   * @param topics - the missing topic names
   */
  constructor(readonly topics: string[]) {
    super(`Kafka topic${topics.length > 1 ? 's' : ''} ${topics.join(', ')} do${topics.length > 1 ? '' : 'es'} not exist: create ${topics.length > 1 ? 'them' : 'it'} (README, "Kafka topics") or set KAFKA_CREATE_TOPICS=true`);
    this.name = 'MissingTopicError';
  }
}
