import type { OutboxEvent } from '../core/types';

/** A Kafka message in CloudEvents 1.0 binary mode (contracts.md §3). */
export interface KafkaMessageShape {
  /** Null for the Instant OpenHIE `2xx` topic, which carries no key. */
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/**
 * Render one outbox event as a Kafka message with the CloudEvents headers of contracts.md §3.
 * Values: schemas/identity-event.schema.json.
 * @param event - the stored outbox event
 * @param instance - this deployment's instance name, used in `ce_source`
 */
export function toKafkaMessage(event: OutboxEvent, instance: string): KafkaMessageShape {
  const headers: Record<string, string> = {
    ce_specversion: '1.0',
    ce_id: event.id,
    ce_source: `urn:passerelle:${instance}`,
    ce_type: event.type,
    ce_time: event.time,
    ce_subject: event.subject,
    // A channel's dead letter is a JSON document about the payload; every other value is FHIR JSON.
    'content-type': event.topic === 'dlq' ? 'application/json' : 'application/fhir+json',
  };
  if (event.transactionId) headers['x-openhim-transactionid'] = event.transactionId;
  return { key: event.topic === 'bundle2xx' ? null : event.key, value: JSON.stringify(event.payload), headers };
}
