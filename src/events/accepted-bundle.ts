/**
 * The optional Instant OpenHIE `2xx` event (contracts.md §3): an accepted FHIR Bundle as received,
 * without a key (the platform's kafka-unbundler-consumer reads `2xx` as raw Bundles).
 */
import { randomUUID } from 'node:crypto';
import type { OutboxEvent } from '../core/types';

/**
 * The `2xx` event of an accepted Bundle.
 * @param bundle - the Bundle as received (a batch with its succeeded entries only)
 * @param transactionId - the OpenHIM transaction it came through, if any
 */
export function acceptedBundleEvent(bundle: { id?: string }, transactionId?: string): OutboxEvent {
  const id = randomUUID();
  return {
    id, topic: 'bundle2xx', key: '', type: 'org.passerelle.bundle.accepted', subject: bundle.id ?? id, time: new Date().toISOString(), payload: bundle,
    ...(transactionId ? { transactionId } : {}),
  };
}
