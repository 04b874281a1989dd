/**
 * Practitioner events (topic `practitioner`, keyed by the practitioner id): a FHIR message Bundle
 * focused on the Practitioner at its new version. Written by the practitioner stores in the same
 * write as the change (their outbox), relayed like identity events.
 */
import type { Practitioner } from 'fhir/r4';
import { randomUUID } from 'node:crypto';
import { buildFhirMessage } from '../core/fhir-message';
import type { OutboxEvent } from '../core/types';

export type PractitionerEventType = 'created' | 'updated' | 'deactivated';

/** Where practitioner events wait; structurally the `Outbox` port of src/events. */
export interface PractitionerOutbox {
  pending(limit: number): Promise<OutboxEvent[]>;
  markPublished(ids: string[]): Promise<void>;
  lag(): Promise<{ count: number; oldestAt: string | null }>;
  /** Give up this process's claims (the relay stopping cleanly; stores shared by several processes). */
  release?(): Promise<void>;
}

/**
 * The event type of a change from `before` to `after`.
 * @param before - the stored Practitioner, null when new
 * @param after - the Practitioner written
 */
export function practitionerEventType(before: Practitioner | null, after: Practitioner): PractitionerEventType {
  if (!before) return 'created';
  return before.active !== false && after.active === false ? 'deactivated' : 'updated';
}

/**
 * Whether two Practitioners differ in content (meta aside): an unchanged re-send makes no new version.
 * @param a - one Practitioner
 * @param b - the other
 */
export function samePractitioner(a: Practitioner, b: Practitioner): boolean {
  const strip = (p: Practitioner): string => JSON.stringify({ ...p, meta: { ...p.meta, versionId: undefined, lastUpdated: undefined } });
  return strip(a) === strip(b);
}

/**
 * A practitioner event ready for the outbox.
 * @param type - created, updated or deactivated
 * @param practitioner - the Practitioner as stored (id, meta.versionId, meta.lastUpdated)
 * @param instance - instance name for `ce_source`
 * @param transactionId - the OpenHIM transaction the change came through, if any (contracts §3 header)
 */
export function buildPractitionerEvent(type: PractitionerEventType, practitioner: Practitioner & { id: string }, instance: string, transactionId?: string): OutboxEvent {
  const id = randomUUID();
  const time = practitioner.meta?.lastUpdated ?? new Date().toISOString();
  const ceType = `org.passerelle.practitioner.${type}`;
  const payload = buildFhirMessage({ id, type: ceType, time, sourceEndpoint: `urn:passerelle:${instance}`, focus: practitioner });
  return { id, topic: 'practitioner', key: practitioner.id, type: ceType, subject: practitioner.id, time, payload, ...(transactionId ? { transactionId } : {}) };
}
