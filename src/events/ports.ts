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
  /**
   * Unpublished events in change-log order (order per key preserved). Stores shared by several
   * processes claim what they return for this process (core/outbox-claims.ts), so each event is
   * normally published by one process, and never ahead of an earlier event of its key.
   * `busy`: ids this process handed out and is still publishing or marking; the caller skips them
   * in what comes back and asks for `limit` plus their number. A store may leave their entries out
   * of its read (and count them against the limit) instead of reading them again.
   */
  pending(limit: number, busy?: ReadonlySet<string>): Promise<OutboxEvent[]>;
  markPublished(ids: string[]): Promise<void>;
  /** The backlog, for /metrics and /ready (optional: stores that cannot tell cheaply omit it). */
  lag?(): Promise<OutboxLag>;
  /**
   * Retention: remove what was published before `before` (ISO 8601) and kept for audit and replay;
   * returns how many entries went (optional: stores that keep nothing after publishing omit it).
   */
  prune?(before: string): Promise<number>;
  /** Give up this process's claims on entries still waiting (the relay stopping cleanly). */
  release?(): Promise<void>;
}

/** An outbox for events that are not part of an identity change (the Instant OpenHIE `2xx` topic). */
export interface EventQueue extends Outbox {
  enqueue(event: OutboxEvent): Promise<void>;
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

/** One message read from an inbound topic (ingest). */
export interface InboundMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/** A message (or one record of it) the ingest refused, for the dead-letter topic. */
export interface DeadLetter {
  message: InboundMessage;
  /** Why, for a person to read (no personal data). */
  reason: string;
  /** A stable code: unparseable, no-mapping, transform-failed, invalid, conflict… */
  code: string;
  /** The source system, when known. */
  source?: string;
  /** `system|value` of the refused record when known; else a hash of the payload is used. */
  key?: string;
  /** The refused part when it is one record of a larger payload (default: the whole value). */
  value?: string;
  contentType?: string;
}

/** What handling a page of messages decided. */
export interface PageOutcome {
  deadLetters: DeadLetter[];
}

/**
 * Handles a page of inbound messages of one partition, in offset order. Resolves once everything
 * it accepted is written (the offsets are then committed); throws when it could not write (the
 * store is down), so that the same page is handed again later.
 */
export type PageHandler = (page: InboundMessage[]) => Promise<PageOutcome>;

/** A source of inbound messages (Kafka ingest topics). */
export interface IngestSource {
  start(handler: PageHandler): Promise<void>;
  stop(): Promise<void>;
}
