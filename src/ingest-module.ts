/**
 * Assembles the inbound Kafka ingest (off by default, KAFKA_INGEST_ENABLED): the consumer of the
 * `passerelle.ingest.<source>` topics and of OpenHIM's Kafka-route topic, the page handler with the
 * FHIR API's Patient validator and replaced-by merges, the source mappings and the metrics.
 */
import type { Patient } from 'fhir/r4';
import type { Registry } from 'prom-client';
import type { Config } from './config';
import type { Logger } from './core/logger';
import { KafkaIngestSource } from './events/kafka';
import { registerIngestMetrics } from './events/metrics';
import type { IngestSource } from './events/ports';
import { FhirFormats } from './fhir/format';
import { mergeByLink, replacedByLink, withoutReplacedBy } from './fhir/patient/merge-link';
import { validateResource } from './fhir/validate';
import type { IngestMapping } from './flows/ingest/mapping';
import { createIngestHandler } from './flows/ingest/page-handler';
import type { TopicOrigin } from './flows/ingest/page-handler';
import type { RegistryService } from './registry/api';

/** The ingest as the app runs it. */
export interface IngestModule {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Which source a topic carries: `<prefix><source>`, or OpenHIM's envelope topic.
 * @param config - validated configuration
 */
export function topicOrigins(config: Config): (topic: string) => TopicOrigin | null {
  const e = config.env;
  return (topic) => {
    if (e.KAFKA_INGEST_OPENHIM_TOPIC && topic === e.KAFKA_INGEST_OPENHIM_TOPIC) return { kind: 'openhim' };
    if (!topic.startsWith(e.KAFKA_INGEST_TOPIC_PREFIX)) return null;
    const source = topic.slice(e.KAFKA_INGEST_TOPIC_PREFIX.length);
    return e.KAFKA_INGEST_SOURCES.includes(source) ? { kind: 'source', source } : null;
  };
}

/**
 * Build the ingest, or null when it is off.
 * @param opts - configuration, logger, registry, metrics, inbound topics, source mappings, and a source (tests)
 */
export function buildIngestModule(opts: {
  config: Config; logger: Logger; registry: RegistryService; metrics: Registry; topics: string[];
  mappings?: ReadonlyMap<string, IngestMapping>; source?: IngestSource;
}): IngestModule | null {
  const { config, logger } = opts;
  const e = config.env;
  if (!e.KAFKA_INGEST_ENABLED) return null;
  const formats = new FhirFormats();
  const source = opts.source ?? new KafkaIngestSource({
    brokers: e.KAFKA_BROKERS ?? [], clientId: `${e.KAFKA_CLIENT_ID}-ingest`, groupId: e.KAFKA_INGEST_GROUP_ID, topics: opts.topics,
    deadLetterTopic: e.KAFKA_TOPIC_DLQ, instance: e.INSTANCE_ID, pageSize: e.KAFKA_INGEST_PAGE_SIZE, logger,
  });
  const handler = createIngestHandler({
    registry: opts.registry,
    validatePatient: (body) => validateResource<Patient>(body, 'Patient', formats),
    mappings: opts.mappings ?? new Map(),
    originOf: topicOrigins(config),
    replacedBy: { linkOf: replacedByLink, withoutLink: withoutReplacedBy, merge: mergeByLink },
    observer: registerIngestMetrics(opts.metrics),
    logger,
  });
  return { start: () => source.start(handler), stop: () => source.stop() };
}
