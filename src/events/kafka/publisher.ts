/**
 * Publishes outbox events to Kafka with the CloudEvents headers of contracts.md §3, through one
 * long-lived idempotent producer (acks=all), created by app.ts and closed in stop().
 */
import type { Kafka } from 'kafkajs';
import type { Logger } from '../../core/logger';
import type { OutboxEvent } from '../../core/types';
import { toKafkaMessage } from '../cloudevents';
import { MissingTopicError } from '../ports';
import type { EventPublisher, TopicTable } from '../ports';
import type { TopicSpec } from '../topics';
import { createKafkaClient, isUnknownTopicError } from './client';
import { ResilientProducer } from './producer';
import type { TopicBatch } from './producer';
import { KafkaTopicAdmin } from './topic-admin';

export interface KafkaPublisherOptions {
  brokers: string[];
  clientId: string;
  instance: string;
  topics: TopicTable;
  logger: Logger;
  /** Every topic Passerelle uses (events/topics.ts), checked at connect and by /ready. */
  topicSpecs?: TopicSpec[];
  /** Create the missing ones at connect (development, tests, KAFKA_CREATE_TOPICS=true). */
  createTopics?: boolean;
}

/**
 * Group events by Kafka topic, keeping their order within each topic.
 * @param events - outbox events in change-log order
 * @param topics - logical → Kafka topic names
 * @param instance - instance name for `ce_source`
 */
export function batchesOf(events: OutboxEvent[], topics: TopicTable, instance: string): TopicBatch[] {
  const byTopic = new Map<string, TopicBatch>();
  for (const e of events) {
    const topic = topics[e.topic];
    let batch = byTopic.get(topic);
    if (!batch) {
      batch = { topic, messages: [] };
      byTopic.set(topic, batch);
    }
    const m = toKafkaMessage(e, instance);
    batch.messages.push(m.key === null ? { value: m.value, headers: m.headers } : m);
  }
  return [...byTopic.values()];
}

/** The Kafka EventPublisher. */
export class KafkaEventPublisher implements EventPublisher {
  private readonly kafka: Kafka;
  private readonly producer: ResilientProducer;
  private readonly admin: KafkaTopicAdmin;

  /**
   * @param opts - brokers, client id, topic table, topic plan and logger
   */
  constructor(private readonly opts: KafkaPublisherOptions) {
    this.kafka = createKafkaClient({ brokers: opts.brokers, clientId: opts.clientId });
    this.producer = new ResilientProducer(this.kafka);
    this.admin = new KafkaTopicAdmin(this.kafka);
  }

  /** Connect the admin client, create or check the topics, then connect the producer. */
  async connect(): Promise<void> {
    await this.admin.connect();
    await this.prepareTopics();
    await this.producer.connect();
  }

  async disconnect(): Promise<void> {
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  async publish(events: OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    const batches = batchesOf(events, this.opts.topics, this.opts.instance);
    try {
      await this.producer.send(batches);
    } catch (err) {
      if (!isUnknownTopicError(err)) throw err;
      const missing = await this.admin.missing(batches.map((b) => b.topic), true).catch(() => []);
      throw missing.length > 0 ? new MissingTopicError(missing) : err;
    }
  }

  async ping(): Promise<boolean> {
    return this.admin.ping();
  }

  async missingTopics(): Promise<string[]> {
    return this.admin.missing((this.opts.topicSpecs ?? []).map((s) => s.name));
  }

  private async prepareTopics(): Promise<void> {
    const specs = this.opts.topicSpecs ?? [];
    if (specs.length === 0) return;
    if (this.opts.createTopics) {
      const created = await this.admin.ensure(specs);
      if (created.length > 0) this.opts.logger.info({ topics: created }, 'created Kafka topics');
      return;
    }
    const missing = await this.admin.missing(specs.map((s) => s.name), true);
    // Production: operators create topics (README). Events wait in the outbox meanwhile; /ready says why.
    if (missing.length > 0) this.opts.logger.error({ topics: missing }, new MissingTopicError(missing).message);
  }
}
