/**
 * Assembles the event pipeline for the composition root: the Kafka publisher with the topic plan,
 * the outbox relay (woken by every applied change), its metrics and the `kafka` readiness check.
 * Only this file, app.ts and the tools choose the Kafka adapter.
 */
import type { Registry } from 'prom-client';
import type { Config } from './config';
import type { Logger } from './core/logger';
import { KafkaEventPublisher } from './events/kafka';
import { registerEventMetrics } from './events/metrics';
import type { EventPublisher, Outbox, TopicTable } from './events/ports';
import { eventBusCheck } from './events/readiness';
import type { EventBusCheck } from './events/readiness';
import { OutboxRelay } from './events/relay';
import { OutboxRetention } from './events/retention';
import { topicPlan } from './events/topics';
import type { TopicSpec } from './events/topics';

/** The event pipeline as the app runs it. */
export interface EventsModule {
  publisher: EventPublisher;
  relay: OutboxRelay;
  readiness: EventBusCheck;
  topics: TopicTable;
  /** Removes published events past EVENT_RETENTION_DAYS (app.start runs it once the stores are ready). */
  retention: OutboxRetention;
}

/**
 * Kafka topic names of the configuration.
 * @param config - validated configuration
 */
export function topicTable(config: Config): TopicTable {
  const e = config.env;
  return { patient: e.KAFKA_TOPIC_PATIENT, practitioner: e.KAFKA_TOPIC_PRACTITIONER, review: e.KAFKA_TOPIC_REVIEW, dlq: e.KAFKA_TOPIC_DLQ, bundle2xx: e.KAFKA_TOPIC_2XX };
}

/**
 * Inbound topics consumed when Kafka ingest is on: one per source, plus OpenHIM's Kafka-route topic.
 * @param config - validated configuration
 */
export function ingestTopics(config: Config): string[] {
  const e = config.env;
  if (!e.KAFKA_INGEST_ENABLED) return [];
  return [...e.KAFKA_INGEST_SOURCES.map((s) => `${e.KAFKA_INGEST_TOPIC_PREFIX}${s}`), ...(e.KAFKA_INGEST_OPENHIM_TOPIC ? [e.KAFKA_INGEST_OPENHIM_TOPIC] : [])];
}

/**
 * Every topic Passerelle uses, with partitions and replication from the configuration.
 * @param config - validated configuration
 */
export function configuredTopicPlan(config: Config): TopicSpec[] {
  const e = config.env;
  return topicPlan({
    topics: topicTable(config), partitions: e.KAFKA_TOPIC_PARTITIONS, publish2xx: e.KAFKA_PUBLISH_2XX, ingestTopics: ingestTopics(config),
    ...(e.KAFKA_TOPIC_REPLICATION_FACTOR !== undefined ? { replicationFactor: e.KAFKA_TOPIC_REPLICATION_FACTOR } : {}),
  });
}

/**
 * Whether Passerelle creates missing topics: KAFKA_CREATE_TOPICS, else everywhere but production.
 * @param config - validated configuration
 */
export function createsTopics(config: Config): boolean {
  return config.env.KAFKA_CREATE_TOPICS ?? config.env.NODE_ENV !== 'production';
}

/**
 * Build the event pipeline.
 * @param opts - configuration, logger, the outbox to drain, the metrics registry, the (live) topic table, and an optional publisher (tests)
 */
export function buildEventsModule(opts: { config: Config; logger: Logger; outbox: Outbox; metrics: Registry; topics?: TopicTable; publisher?: EventPublisher }): EventsModule {
  const { config, logger, outbox } = opts;
  // The live settings may rename topics at run time: the publisher reads this table at each publish.
  const topics = opts.topics ?? topicTable(config);
  const publisher = opts.publisher ?? new KafkaEventPublisher({
    brokers: config.env.KAFKA_BROKERS ?? [], clientId: config.env.KAFKA_CLIENT_ID, instance: config.env.INSTANCE_ID,
    topics, logger, topicSpecs: configuredTopicPlan(config), createTopics: createsTopics(config),
  });
  const { observer } = registerEventMetrics(opts.metrics, { outbox, topics });
  const relay = new OutboxRelay({ outbox, publisher, logger, observer, batchSize: config.env.KAFKA_RELAY_BATCH_SIZE });
  const retention = new OutboxRetention({ outbox, logger, days: config.env.EVENT_RETENTION_DAYS, intervalMs: config.env.EVENT_RETENTION_INTERVAL_MS });
  return { publisher, relay, readiness: eventBusCheck({ publisher, relay, outbox }), topics, retention };
}
