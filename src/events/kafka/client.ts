/**
 * The one place a kafkajs client is configured (src/events/kafka is the only kafkajs importer).
 * Short connection and request timeouts: a broker that is down must surface quickly as a failed
 * publish (the outbox keeps the events) rather than as a request hanging for minutes.
 */
import { Kafka, logLevel } from 'kafkajs';

/** What every Passerelle Kafka client needs. */
export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
}

/**
 * A kafkajs client with Passerelle's timeouts and retry policy; kafkajs' own logging is off
 * (failures surface as rejected promises and are logged by the caller, without payloads).
 * @param opts - brokers and client id
 */
export function createKafkaClient(opts: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 3000 },
    logLevel: logLevel.NOTHING,
  });
}

/**
 * Whether a kafkajs error says a topic or partition does not exist (the broker answered, the topic
 * is missing: retrying will not help until an operator creates it).
 * @param err - what a kafkajs call threw
 */
export function isUnknownTopicError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const x = e as { type?: unknown; name?: unknown; errors?: unknown[]; originalError?: unknown; cause?: unknown };
    if (x.type === 'UNKNOWN_TOPIC_OR_PARTITION' || x.name === 'KafkaJSTopicMetadataNotLoaded') return true;
    if (Array.isArray(x.errors) && x.errors.some((inner) => isUnknownTopicError(inner))) return true;
    e = x.originalError ?? x.cause;
  }
  return false;
}
