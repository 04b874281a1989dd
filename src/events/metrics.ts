/**
 * Prometheus metrics of the event pipeline: the outbox backlog (how many events wait, and how old
 * the oldest is), what the relay published and how often it failed.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { OutboxEvent } from '../core/types';
import type { Outbox, OutboxLag, TopicTable } from './ports';
import type { RelayObserver } from './relay';

/** Counters the relay feeds. */
export interface EventMetrics {
  observer: RelayObserver;
}

/**
 * The age in seconds of the oldest waiting event.
 * @param lag - the outbox backlog
 * @param now - the current time
 */
export function oldestAgeSeconds(lag: OutboxLag, now: Date): number {
  return lag.oldestAt ? Math.max(0, (now.getTime() - Date.parse(lag.oldestAt)) / 1000) : 0;
}

/**
 * Register the event metrics on `registry`; the backlog gauges query the outbox at scrape time.
 * @param registry - the process' metrics registry
 * @param opts - the outbox (its `lag()`) and the topic table (labels are Kafka topic names)
 */
export function registerEventMetrics(registry: Registry, opts: { outbox: Outbox; topics: TopicTable }): EventMetrics {
  const registers = [registry];
  const published = new Counter({ name: 'passerelle_events_published_total', help: 'Events acknowledged by Kafka', labelNames: ['topic'] as const, registers });
  const failures = new Counter({ name: 'passerelle_event_publish_failures_total', help: 'Relay batches that failed (the events stay in the outbox)', labelNames: ['reason'] as const, registers });
  const batchSeconds = new Histogram({ name: 'passerelle_event_publish_batch_seconds', help: 'Time to publish one relay batch and mark it published', buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers });
  let lastLag: Promise<OutboxLag> | null = null;
  // Both gauges read one lag() per scrape.
  const lag = (): Promise<OutboxLag> => {
    lastLag ??= (opts.outbox.lag?.() ?? Promise.resolve({ count: 0, oldestAt: null })).finally(() => setTimeout(() => (lastLag = null), 0));
    return lastLag;
  };
  new Gauge({ name: 'passerelle_outbox_pending_events', help: 'Events committed but not yet published', registers, async collect() { this.set((await lag()).count); } });
  new Gauge({ name: 'passerelle_outbox_oldest_pending_age_seconds', help: 'Age of the oldest unpublished event (0 when none waits)', registers, async collect() { this.set(oldestAgeSeconds(await lag(), new Date())); } });
  const observer: RelayObserver = {
    published(events: OutboxEvent[], seconds: number) {
      const byTopic = new Map<string, number>();
      for (const e of events) byTopic.set(opts.topics[e.topic], (byTopic.get(opts.topics[e.topic]) ?? 0) + 1);
      for (const [topic, n] of byTopic) published.inc({ topic }, n);
      batchSeconds.observe(seconds);
    },
    failed(err: unknown) {
      failures.inc({ reason: err instanceof Error && err.name === 'MissingTopicError' ? 'missing-topic' : 'broker' });
    },
  };
  return { observer };
}

/**
 * Register the Kafka ingest counters on `registry`.
 * @param registry - the process' metrics registry
 */
export function registerIngestMetrics(registry: Registry): { registered(source: string, n: number): void; rejected(source: string, code: string): void } {
  const registers = [registry];
  const registered = new Counter({ name: 'passerelle_ingest_records_total', help: 'Records registered from Kafka ingest topics', labelNames: ['source'] as const, registers });
  const rejected = new Counter({ name: 'passerelle_ingest_dead_letters_total', help: 'Payloads or records sent to the ingest dead-letter topic', labelNames: ['source', 'code'] as const, registers });
  return {
    registered: (source, n) => registered.inc({ source }, n),
    rejected: (source, code) => rejected.inc({ source, code }),
  };
}
