/**
 * Glossary types shared across modules. The words here are used exactly as in the README glossary:
 * source record, golden record, MPI ID, link, cross-reference, review task, match grade, actor.
 */

/** Who performs an operation: a machine client, optionally a user, and the OpenHIM transaction. */
export interface Actor {
  clientId: string;
  userId?: string;
  /** OpenHIM transaction id when the request came through OpenHIM. */
  transactionId?: string;
  /** Remote address, for the audit trail. */
  address?: string;
}

/** A business identifier; `system|value` is its canonical string form. */
export interface IdentifierRef {
  system: string;
  value: string;
}

/** The canonical `system|value` key of an identifier. */
export function identifierKey(id: IdentifierRef): string {
  return `${id.system}|${id.value}`;
}

/** Kafka topics of contracts.md §3, by logical name. */
export type TopicName = 'patient' | 'practitioner' | 'review' | 'dlq' | 'bundle2xx';

/**
 * One identity event as stored in the outbox, written in the same atomic step as the change it
 * describes and relayed to Kafka by src/events. `id` is the CloudEvents `ce_id` (idempotency key).
 */
export interface OutboxEvent {
  id: string;
  topic: TopicName;
  /** Kafka message key: the MPI ID left standing (the survivor for a merge), or practitioner id. */
  key: string;
  /** CloudEvents type, e.g. `org.passerelle.patient.linked`. */
  type: string;
  /** CloudEvents subject: the MPI ID. */
  subject: string;
  /** ISO timestamp of the change. */
  time: string;
  transactionId?: string;
  /** The message value: a FHIR R4 Bundle (PMIR message shape) or another JSON document. */
  payload: unknown;
}

/** Something that hands out the current time; injected so tests can freeze it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
