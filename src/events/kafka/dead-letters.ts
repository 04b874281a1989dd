/**
 * Dead letters on Kafka (`passerelle.ingest.dlq`, contracts.md §3): the refused payload as received
 * (or the one refused record of it), keyed by the record's `system|value` or a hash of the payload,
 * with the reason and where it came from in headers — so it can be read, fixed and sent again to its
 * ingest topic. Headers: schemas/identity-event.schema.json `deadLetterHeaders`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Message } from 'kafkajs';
import type { DeadLetter } from '../ports';

/**
 * The Kafka message of one dead letter.
 * @param d - the dead letter
 * @param instance - instance name for `ce_source`
 */
export function deadLetterMessage(d: DeadLetter, instance: string): Message {
  const value = d.value ?? d.message.value?.toString('utf8') ?? '';
  const key = d.key ?? `sha256:${createHash('sha256').update(value).digest('hex')}`;
  const headers: Record<string, string> = {
    ce_specversion: '1.0',
    ce_id: randomUUID(),
    ce_source: `urn:passerelle:${instance}`,
    ce_type: 'org.passerelle.ingest.rejected',
    ce_time: new Date().toISOString(),
    ce_subject: key,
    'content-type': d.contentType ?? d.message.headers['content-type'] ?? 'application/json',
    'x-passerelle-error': d.reason,
    'x-passerelle-error-code': d.code,
    'x-passerelle-origin-topic': d.message.topic,
    'x-passerelle-origin-partition': String(d.message.partition),
    'x-passerelle-origin-offset': d.message.offset,
  };
  if (d.source) headers['x-passerelle-source'] = d.source;
  const tx = d.message.headers['x-openhim-transactionid'];
  if (tx) headers['x-openhim-transactionid'] = tx;
  return { key, value, headers };
}
