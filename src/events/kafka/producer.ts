/**
 * One idempotent kafkajs producer (acks=all, one request in flight so per-partition order holds
 * across its retries) that is replaced after a failed send. kafkajs keeps an idempotent producer's
 * sequence numbers across a broker outage; after one, the broker can refuse them for good
 * (OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID) and every later send fails. A fresh producer
 * gets a fresh producer id; the price is that a batch whose acknowledgement was lost is written
 * again — with the same `ce_id`, which consumers deduplicate on.
 */
import { Partitioners } from 'kafkajs';
import type { Kafka, Message, Producer } from 'kafkajs';

/** Messages for one topic. */
export interface TopicBatch {
  topic: string;
  messages: Message[];
}

/** A producer that survives broker outages (see the file comment). */
export class ResilientProducer {
  private producer: Producer | null = null;
  private connecting: Promise<Producer> | null = null;
  private closed = true;

  /**
   * @param kafka - the kafkajs client
   */
  constructor(private readonly kafka: Kafka) {}

  /** Connect now (start-up); later sends connect on their own. */
  async connect(): Promise<void> {
    this.closed = false;
    await this.current();
  }

  /**
   * Send every batch and wait for all in-sync replicas; replaces the producer when it fails.
   * @param batches - messages per topic, in order
   */
  async send(batches: TopicBatch[]): Promise<void> {
    if (batches.length === 0) return;
    const producer = await this.current();
    try {
      await producer.sendBatch({ acks: -1, topicMessages: batches });
    } catch (err) {
      await this.discard(producer);
      throw err;
    }
  }

  async disconnect(): Promise<void> {
    this.closed = true;
    const p = this.producer;
    this.producer = null;
    if (p) await this.discard(p);
  }

  private async current(): Promise<Producer> {
    if (this.closed) throw new Error('Kafka producer is not connected');
    if (this.producer) return this.producer;
    this.connecting ??= this.open().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async open(): Promise<Producer> {
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  private async discard(p: Producer): Promise<void> {
    if (this.producer === p) this.producer = null;
    await p.disconnect().catch(() => undefined);
  }
}
