/** The Kafka adapters of src/events (the only kafkajs importers). */
export { KafkaEventPublisher, batchesOf } from './publisher';
export type { KafkaPublisherOptions } from './publisher';
export { createKafkaClient, isUnknownTopicError } from './client';
export { KafkaIngestSource } from './ingest-consumer';
export type { KafkaIngestOptions } from './ingest-consumer';
