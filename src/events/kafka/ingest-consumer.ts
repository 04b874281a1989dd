/**
 * Inbound Kafka ingest: a consumer group over the ingest topics that hands each partition's messages
 * to the page handler a page at a time, in offset order, and commits a page's offsets only after the
 * handler wrote it (and its dead letters are acknowledged). A handler failure (the store is down)
 * retries the same page with backoff, heartbeating so the group keeps the partition; a message the
 * handler refuses goes to the dead-letter topic and the partition moves on.
 */
import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import type { Logger } from '../../core/logger';
import { sleep } from '../../core/retry';
import type { IngestSource, InboundMessage, PageHandler } from '../ports';
import { createKafkaClient } from './client';
import { deadLetterMessage } from './dead-letters';
import { ResilientProducer } from './producer';

export interface KafkaIngestOptions {
  brokers: string[];
  clientId: string;
  groupId: string;
  topics: string[];
  deadLetterTopic: string;
  instance: string;
  pageSize: number;
  logger: Logger;
  /** Backoff cap while the handler keeps failing (default 10 s). */
  maxBackoffMs?: number;
}

function headersOf(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k.toLowerCase()] = first.toString();
  }
  return out;
}

function inbound(topic: string, partition: number, m: KafkaMessage): InboundMessage {
  return { topic, partition, offset: m.offset, key: m.key?.toString('utf8') ?? null, value: m.value, headers: headersOf(m.headers) };
}

/** The Kafka IngestSource. */
export class KafkaIngestSource implements IngestSource {
  private readonly kafka: Kafka;
  private readonly deadLetters: ResilientProducer;
  private consumer: Consumer | null = null;
  private stopping = false;

  /**
   * @param opts - brokers, group, topics, dead-letter topic, page size and logger
   */
  constructor(private readonly opts: KafkaIngestOptions) {
    this.kafka = createKafkaClient({ brokers: opts.brokers, clientId: opts.clientId });
    this.deadLetters = new ResilientProducer(this.kafka);
  }

  async start(handler: PageHandler): Promise<void> {
    this.stopping = false;
    await this.deadLetters.connect();
    const consumer = this.kafka.consumer({ groupId: this.opts.groupId, allowAutoTopicCreation: false, retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10000 } });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: this.opts.topics, fromBeginning: true });
      // kafkajs restarts a consumer after a retriable crash; after any other, start again ourselves.
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (payload.restart || this.stopping) return;
        this.opts.logger.error({ err: payload.error }, 'Kafka ingest consumer crashed; restarting it');
        void this.restart(consumer, handler);
      });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.onBatch(p, handler) });
      this.consumer = consumer;
    } catch (err) {
      await consumer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  private async restart(crashed: Consumer, handler: PageHandler): Promise<void> {
    await crashed.disconnect().catch(() => undefined);
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        await this.start(handler);
        return;
      } catch (err) {
        this.opts.logger.warn({ err, attempt }, 'Kafka ingest consumer could not restart; retrying');
        await sleep(Math.min(this.opts.maxBackoffMs ?? 10000, 500 * attempt));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const c = this.consumer;
    this.consumer = null;
    await c?.disconnect().catch(() => undefined);
    await this.deadLetters.disconnect();
  }

  private async onBatch(p: EachBatchPayload, handler: PageHandler): Promise<void> {
    const { batch } = p;
    const messages = batch.messages.map((m) => inbound(batch.topic, batch.partition, m));
    for (let i = 0; i < messages.length; i += this.opts.pageSize) {
      const page = messages.slice(i, i + this.opts.pageSize);
      const live = (): boolean => !this.stopping && p.isRunning() && !p.isStale();
      const outcome = await this.untilDone('ingest page', () => handler(page), p, live);
      if (!outcome) return;
      if (outcome.deadLetters.length > 0) {
        const sent = await this.untilDone('dead letters', () => this.deadLetters.send([{ topic: this.opts.deadLetterTopic, messages: outcome.deadLetters.map((d) => deadLetterMessage(d, this.opts.instance)) }]), p, live);
        if (sent === null) return;
      }
      const last = (page[page.length - 1] as InboundMessage).offset;
      await this.consumer?.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
      p.resolveOffset(last);
      await p.heartbeat();
    }
  }

  /** Run `fn` until it succeeds; null when the consumer stops meanwhile (nothing is committed then). */
  private async untilDone<T>(what: string, fn: () => Promise<T>, p: EachBatchPayload, live: () => boolean): Promise<T | null> {
    for (let attempt = 1; live(); attempt++) {
      try {
        return await fn();
      } catch (err) {
        const delay = Math.min(this.opts.maxBackoffMs ?? 10000, 200 * 2 ** Math.min(attempt, 10));
        this.opts.logger.warn({ err, attempt, retryInMs: delay }, `${what} failed; the partition waits and retries (offsets not committed)`);
        await sleep(delay);
        await p.heartbeat().catch(() => undefined);
      }
    }
    return null;
  }
}
