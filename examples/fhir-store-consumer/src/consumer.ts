/**
 * The consumer: reads the patient topic in a consumer group, applies each event to the FHIR store,
 * and commits a partition's offsets only once the events before them are written. A redelivered
 * event (same `ce_id`) is skipped; after a restart the MPI versions kept in the store make
 * re-applying harmless. The FHIR store being down pauses the partition (retried with backoff); an
 * event the store refuses (HTTP 4xx) is logged with its `ce_id` and skipped.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import { applyEvent } from './apply';
import type { ConsumerConfig } from './config';
import { RecentIds } from './dedupe';
import { FhirClient, FhirError } from './fhir-client';

/** Counts since start. */
export interface ConsumerStats {
  events: number;
  duplicates: number;
  written: number;
  stale: number;
  refused: number;
}

/** One line of JSON per log record. */
export type LogFn = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

const defaultLog: LogFn = (level, msg, fields) => process.stdout.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields })}\n`);

/** The FHIR store consumer. */
export class FhirStoreConsumer {
  readonly stats: ConsumerStats = { events: 0, duplicates: 0, written: 0, stale: 0, refused: 0 };
  private readonly consumer: Consumer;
  private readonly fhir: FhirClient;
  private readonly seen: RecentIds;
  private stopping = false;

  /**
   * @param cfg - brokers, topic, group, FHIR base URL
   * @param log - where log lines go
   */
  constructor(private readonly cfg: ConsumerConfig, private readonly log: LogFn = defaultLog) {
    const kafka = new Kafka({ clientId: cfg.clientId, brokers: cfg.brokers, logLevel: logLevel.NOTHING, retry: { retries: 10 } });
    this.consumer = kafka.consumer({ groupId: cfg.groupId, allowAutoTopicCreation: false });
    this.fhir = new FhirClient(cfg.fhirBaseUrl, cfg.fhirToken);
    this.seen = new RecentIds(cfg.dedupeSize);
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.cfg.topic, fromBeginning: this.cfg.fromBeginning });
    await this.consumer.run({ autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.onBatch(p) });
    this.log('info', 'consuming', { topic: this.cfg.topic, group: this.cfg.groupId, fhir: this.cfg.fhirBaseUrl });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
  }

  private async onBatch(p: EachBatchPayload): Promise<void> {
    const { topic, partition } = p.batch;
    for (const m of p.batch.messages) {
      if (this.stopping || !p.isRunning() || p.isStale()) break;
      if (!(await this.handle(m, p))) break;
      p.resolveOffset(m.offset);
      await this.consumer.commitOffsets([{ topic, partition, offset: (BigInt(m.offset) + 1n).toString() }]);
      await p.heartbeat();
    }
  }

  /** Apply one message; false when stopping before it could be written (not committed then). */
  private async handle(m: KafkaMessage, p: EachBatchPayload): Promise<boolean> {
    const id = m.headers?.ce_id?.toString();
    const type = m.headers?.ce_type?.toString() ?? '';
    this.stats.events += 1;
    if (!id || !type.startsWith('org.passerelle.patient.')) return true;
    if (this.seen.has(id)) {
      this.stats.duplicates += 1;
      return true;
    }
    for (let attempt = 1; !this.stopping; attempt++) {
      try {
        const applied = await applyEvent(this.fhir, JSON.parse(m.value?.toString() ?? 'null'));
        this.stats.written += applied.written;
        this.stats.stale += applied.stale;
        this.seen.add(id);
        return true;
      } catch (err) {
        if (!(err instanceof FhirError) || !err.retryable) {
          this.stats.refused += 1;
          this.log('error', 'event not applied: the FHIR store refused it or it is malformed; skipped', { ceId: id, type, offset: m.offset, error: err instanceof Error ? err.message : String(err) });
          return true;
        }
        const delay = Math.min(30000, 250 * 2 ** Math.min(attempt, 7));
        this.log('warn', 'FHIR store unavailable; retrying', { ceId: id, attempt, retryInMs: delay, error: err.message });
        await new Promise((r) => setTimeout(r, delay));
        await p.heartbeat().catch(() => undefined);
      }
    }
    return false;
  }
}
