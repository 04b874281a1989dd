/**
 * The shape rules of dead letters, shared by both stores: an entry's id (one per payload, stage and
 * record, so a re-delivered failing payload is one entry with more occurrences), the payload kept
 * (at most 1 MB, so a huge body cannot stop the store), the DLQ event it becomes, and the failures
 * filter.
 */
import { createHash } from 'node:crypto';
import { uuidFrom } from '../core/ids';
import type { OutboxEvent } from '../core/types';
import type { DeadLetter, FailureQuery, NewDeadLetter } from './ports';

/** Largest payload kept whole in a dead letter; a larger one keeps its first 64 KB as text. */
export const MAX_DEAD_LETTER_PAYLOAD = 1024 * 1024;
/** CloudEvents type of a DLQ event. */
export const DEAD_LETTER_EVENT_TYPE = 'org.passerelle.ingest.failed';

/**
 * Hex SHA-256 of a value's JSON (or of a string as is).
 * @param value - a payload
 */
export function payloadHash(value: unknown): string {
  return createHash('sha256').update(typeof value === 'string' ? value : JSON.stringify(value) ?? 'undefined').digest('hex');
}

/**
 * The DLQ key of a failure: the record's `system|value` when known, else a hash of the payload
 * (contracts.md §3).
 * @param sourceKey - `system|value`, if known
 * @param payload - the payload
 */
export function deadLetterKey(sourceKey: string | undefined, payload: unknown): string {
  return sourceKey ?? `sha256:${payloadHash(payload)}`;
}

/**
 * The payload as kept: whole up to MAX_DEAD_LETTER_PAYLOAD, else its head as text with its size.
 * @param payload - the payload as received
 */
export function keptPayload(payload: unknown): unknown {
  const text = typeof payload === 'string' ? payload : JSON.stringify(payload) ?? '';
  if (text.length <= MAX_DEAD_LETTER_PAYLOAD) return payload;
  return { truncated: true, characters: text.length, sha256: payloadHash(text), head: text.slice(0, 65_536) };
}

/**
 * The id of a failure's entry.
 * @param f - the failure
 */
export function deadLetterId(f: NewDeadLetter): string {
  return createHash('sha256').update([f.channel, f.stage, f.resourceType, f.resourceId ?? '', payloadHash(f.payload)].join('\u0000')).digest('hex').slice(0, 24);
}

/**
 * A new open entry.
 * @param id - its id (deadLetterId)
 * @param f - the failure
 * @param at - when
 */
export function newDeadLetter(id: string, f: NewDeadLetter, at: string): DeadLetter {
  return {
    id, channel: f.channel, stage: f.stage, resourceType: f.resourceType, ...(f.resourceId !== undefined ? { resourceId: f.resourceId } : {}),
    key: f.key, payload: keptPayload(f.payload), reason: f.reason, ...(f.issues ? { issues: f.issues } : {}), ...(f.mapping ? { mapping: f.mapping } : {}),
    status: 'open', occurrences: 1, retries: 0, firstSeenAt: at, lastSeenAt: at, published: false, eventId: deadLetterEventId(id, 0, 1),
  };
}

/**
 * The ce_id of an entry's DLQ event at a given retry and occurrence count: a UUID (contracts.md §3),
 * the same each time it is rebuilt.
 * @param id - the entry's id
 * @param retries - its re-drives
 * @param occurrences - how many times its payload failed
 */
export function deadLetterEventId(id: string, retries: number, occurrences: number): string {
  return uuidFrom(`${id}:${retries}:${occurrences}`);
}

/**
 * The DLQ event of an entry; a re-drive that fails again is a new event (new id).
 * @param d - the entry
 */
export function deadLetterEvent(d: DeadLetter): OutboxEvent {
  return {
    id: d.eventId,
    topic: 'dlq',
    key: d.key,
    type: DEAD_LETTER_EVENT_TYPE,
    subject: d.resourceId ?? d.key,
    time: d.lastSeenAt,
    payload: {
      failureId: d.id, channel: d.channel, stage: d.stage, resourceType: d.resourceType, resourceId: d.resourceId,
      reason: d.reason, issues: d.issues, firstSeenAt: d.firstSeenAt, lastSeenAt: d.lastSeenAt, payload: d.payload,
    },
  };
}

/**
 * Whether an entry passes a failures filter.
 * @param d - the entry
 * @param q - the filter
 */
export function matchesFailureQuery(d: DeadLetter, q: FailureQuery): boolean {
  return (q.channel === undefined || d.channel === q.channel) && (q.resourceType === undefined || d.resourceType === q.resourceType)
    && (q.resourceId === undefined || d.resourceId === q.resourceId) && (q.status === undefined || d.status === q.status);
}
