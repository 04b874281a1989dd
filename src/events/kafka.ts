/**
 * The only kafkajs importer. One long-lived idempotent producer (acks=all, one request in flight so
 * order per key holds across retries), created by app.ts and closed in stop().
 */
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import type { Admin, Producer } from 'kafkajs';
import type { OutboxEvent } from '../core/types';
import type { Logger } from '../core/logger';
import { toKafkaMessage } from './cloudevents';
import type { EventPublisher, TopicTable } from './ports';

export interface KafkaPublisherOptions {
  brokers: string[];
  clientId: string;
  instance: string;
  topics: TopicTable;
  logger: Logger;
  /** Create missing topics at connect (development and tests). */
  ensureTopics?: boolean;
}

/** Publishes outbox events to Kafka with CloudEvents headers. */
export class KafkaEventPublisher implements EventPublisher {
  private readonly kafka: Kafka;
  private producer: Producer | null = null;
  private admin: Admin | null = null;

  /**
   * @param opts - brokers, client id, topic table and logger
   */
  constructor(private readonly opts: KafkaPublisherOptions) {
    this.kafka = new Kafka({
      clientId: opts.clientId,
      brokers: opts.brokers,
      connectionTimeout: 3000,
      requestTimeout: 10000,
      retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 3000 },
      logLevel: logLevel.NOTHING,
    });
  }

  async connect(): Promise<void> {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    this.producer = producer;
    const admin = this.kafka.admin();
    await admin.connect();
    this.admin = admin;
    if (this.opts.ensureTopics) await this.createTopics();
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    const admin = this.admin;
    this.producer = null;
    this.admin = null;
    await Promise.allSettled([producer?.disconnect(), admin?.disconnect()]);
  }

  async publish(events: OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (!this.producer) throw new Error('Kafka producer is not connected');
    const byTopic = new Map<string, ReturnType<typeof toKafkaMessage>[]>();
    for (const e of events) {
      const topic = this.opts.topics[e.topic];
      const list = byTopic.get(topic) ?? [];
      list.push(toKafkaMessage(e, this.opts.instance));
      byTopic.set(topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  async ping(): Promise<boolean> {
    if (!this.admin) return false;
    try {
      await this.admin.describeCluster();
      return true;
    } catch {
      return false;
    }
  }

  private async createTopics(): Promise<void> {
    if (!this.admin) return;
    const existing = new Set(await this.admin.listTopics());
    const wanted = [...new Set(Object.values(this.opts.topics))].filter((t) => !existing.has(t));
    if (wanted.length === 0) return;
    await this.admin.createTopics({ waitForLeaders: true, topics: wanted.map((topic) => ({ topic, numPartitions: 3 })) });
    this.opts.logger.info({ topics: wanted }, 'created Kafka topics');
  }
}
