/**
 * Validate Kafka records Passerelle produces against schemas/identity-event.schema.json (headers
 * and value) and, for FHIR values, against the official FHIR R4 JSON schema. Tests call
 * `expectValidEvent` on every event they produce or consume.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv';
import { toKafkaMessage } from '../../src/events/cloudevents';
import type { OutboxEvent } from '../../src/core/types';
import { fhirSchemaErrors } from './fhir-schema';

/** A Kafka record as read: value as text. */
export interface EventRecord {
  key: string | null;
  headers: Record<string, string>;
  value: string;
}

let validator: { ajv: Ajv2020; validate: ValidateFunction } | undefined;

function load(): { ajv: Ajv2020; validate: ValidateFunction } {
  if (validator) return validator;
  const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', 'schemas', 'identity-event.schema.json'), 'utf8')) as object;
  const ajv = new Ajv2020({ strictSchema: true, strictNumbers: true, strictTypes: false, strictTuples: false, strictRequired: false, allErrors: true });
  validator = { ajv, validate: ajv.compile(schema) };
  return validator;
}

/**
 * The problems of one record, or null when it is valid.
 * @param record - key, headers, value text
 */
export function eventErrors(record: EventRecord): string | null {
  const { ajv, validate } = load();
  const deadLetter = record.headers.ce_type === 'org.passerelle.ingest.rejected';
  let value: unknown = record.value;
  if (!deadLetter) {
    try {
      value = JSON.parse(record.value) as unknown;
    } catch {
      return 'value is not JSON';
    }
  }
  if (!validate({ key: record.key, headers: record.headers, value })) return `event schema: ${ajv.errorsText(validate.errors)}`;
  if (deadLetter) return null;
  const fhir = fhirSchemaErrors(value);
  return fhir === null ? null : `FHIR R4 schema: ${fhir}`;
}

/**
 * Jest assertion: the record is valid against the event schema and FHIR R4.
 * @param record - a consumed record, or an outbox event (rendered as the relay renders it)
 * @param instance - instance name for outbox events
 */
export function expectValidEvent(record: EventRecord | OutboxEvent, instance = 'test'): void {
  const r: EventRecord = 'headers' in record ? record : toKafkaMessage(record, instance);
  const errors = eventErrors(r);
  if (errors !== null) throw new Error(`Invalid event (${r.headers.ce_type ?? '?'}): ${errors}\n${r.value.slice(0, 1500)}`);
}
