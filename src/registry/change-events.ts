/**
 * The outbox events of a change, built when they are published: an event stores what it is about
 * (indexes into its change's history) and its value — the PMIR message Bundle of contracts.md §3 — is
 * made from those history records, so the Patients are stored once, in the history.
 */
import type { OutboxEvent } from '../core/types';
import type { Change, EventRecord } from './store';
import { buildPmirBundle, retiredPatient } from './pmir-event';

function payloadOf(change: Change, e: EventRecord): unknown {
  const body = e.body;
  if (body.kind === 'json') return body.payload;
  const at = (i: number): NonNullable<Change['history'][number]>['patient'] => (change.history[i] as Change['history'][number]).patient;
  const golden = body.golden >= 0 ? at(body.golden) : { resourceType: 'Patient' as const, id: e.key };
  const other = body.other !== undefined ? at(body.other) : undefined;
  return buildPmirBundle({
    id: e.id,
    type: e.type.slice(e.type.lastIndexOf('.') + 1) as never,
    time: e.time,
    golden,
    sources: body.sources.map(at),
    ...(other ? { other: body.retiredInto ? retiredPatient(other, body.retiredInto) : other } : {}),
    sourceEndpoint: body.source,
    ...(e.transactionId ? { transactionId: e.transactionId } : {}),
  });
}

/**
 * The outbox event of one of a change's event records.
 * @param change - the change
 * @param e - one of its events
 */
export function outboxEventOf(change: Change, e: EventRecord): OutboxEvent {
  const { body: _body, ...head } = e;
  return { ...head, payload: payloadOf(change, e) };
}

/**
 * The events of a change not yet published, in the order the change emitted them.
 * @param change - the change
 */
export function pendingEventsOf(change: Change): OutboxEvent[] {
  const waiting = new Set(change.unpublished);
  return change.events.filter((e) => waiting.has(e.id)).map((e) => outboxEventOf(change, e));
}
