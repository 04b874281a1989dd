import type { OutboxEvent, TopicName } from '../core/types';

/** Publishes identity events to the event bus; implemented by kafka.ts and the in-memory twin. */
export interface EventPublisher {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  /** Publish in order; resolves only when every event is acknowledged by all in-sync replicas. */
  publish(events: OutboxEvent[]): Promise<void>;
  /** Cheap liveness probe of the bus used by /ready. */
  ping(): Promise<boolean>;
}

/** Where events wait between the atomic write and the bus (the registry store implements it). */
export interface Outbox {
  /** Unpublished events in journal order (order per key preserved). */
  pending(limit: number): Promise<OutboxEvent[]>;
  markPublished(ids: string[]): Promise<void>;
}

/** Kafka topic name per logical topic (configurable, contracts.md §3). */
export type TopicTable = Readonly<Record<TopicName, string>>;
