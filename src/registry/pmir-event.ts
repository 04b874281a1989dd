/**
 * Pure builder of identity events (contracts.md §3): a FHIR R4 Bundle of type `message` in the IHE
 * PMIR shape — a MessageHeader with event `urn:ihe:iti:pmir:2019:patient-feed` whose focus is a
 * Bundle of type `history` holding the golden Patient, the affected source Patients and, for a merge,
 * the retired Patient (active=false, link replaced-by the survivor).
 */
import type { Bundle, BundleEntry, MessageHeader, Patient } from 'fhir/r4';
import { messageBundle } from '../core/fhir-message';
import type { OutboxEvent } from '../core/types';

export const PMIR_EVENT_URI = 'urn:ihe:iti:pmir:2019:patient-feed';

export type PatientEventType = 'created' | 'updated' | 'linked' | 'unlinked' | 'merged' | 'unmerged' | 'deactivated';

/** Input of the patient event builder. */
export interface PatientEventInput {
  /** Event id (CloudEvents ce_id, idempotency key). */
  id: string;
  type: PatientEventType;
  time: string;
  /** The golden Patient left standing (the survivor for a merge). */
  golden: Patient;
  /** Source Patients affected by the change. */
  sources: Patient[];
  /** For merges: the retired golden Patient; for unmerges: the restored one. */
  other?: Patient;
  /** Every other golden Patient the change touched (e.g. the one a moved source left). */
  affected?: Patient[];
  transactionId?: string;
  /** `urn:passerelle:<instance>` style source endpoint. */
  sourceEndpoint: string;
}

function historyEntry(p: Patient, method: 'PUT' | 'DELETE' = 'PUT'): BundleEntry {
  return {
    fullUrl: `Patient/${p.id ?? ''}`,
    resource: p,
    request: { method, url: `Patient/${p.id ?? ''}` },
    response: { status: '200' },
  };
}

/**
 * The retired Patient of a merge: inactive and replaced-by the survivor.
 * @param retired - the retired golden Patient
 * @param survivorId - the survivor's MPI ID
 */
export function retiredPatient(retired: Patient, survivorId: string): Patient {
  const others = (retired.link ?? []).filter((l) => l.type !== 'replaced-by');
  return { ...retired, active: false, link: [...others, { other: { reference: `Patient/${survivorId}` }, type: 'replaced-by' }] };
}

/**
 * Build the PMIR message Bundle for one patient identity change.
 * @param input - the event description
 */
export function buildPmirBundle(input: PatientEventInput): Bundle {
  const historyId = `${input.id}-history`;
  const resources = [input.golden, ...(input.other ? [input.other] : []), ...(input.affected ?? []), ...input.sources];
  const history: Bundle = {
    resourceType: 'Bundle',
    id: historyId,
    type: 'history',
    timestamp: input.time,
    entry: resources.map((p) => historyEntry(p)),
  };
  const header: MessageHeader = {
    resourceType: 'MessageHeader',
    id: `${input.id}-header`,
    eventUri: PMIR_EVENT_URI,
    source: { endpoint: input.sourceEndpoint },
    focus: [{ reference: `urn:uuid:${historyId}` }],
  };
  return messageBundle(input.id, input.time, [
    { fullUrl: `urn:uuid:${header.id ?? ''}`, resource: header },
    { fullUrl: `urn:uuid:${historyId}`, resource: history },
  ]);
}

/**
 * A patient identity event ready for the outbox (topic `patient`, keyed by the MPI ID left standing).
 * @param input - the event description
 */
export function buildPatientEvent(input: PatientEventInput): OutboxEvent {
  const mpiId = input.golden.id ?? '';
  return withTransaction(
    { id: input.id, topic: 'patient', key: mpiId, type: `org.passerelle.patient.${input.type}`, subject: mpiId, time: input.time, payload: buildPmirBundle(input) },
    input.transactionId,
  );
}

function withTransaction(e: OutboxEvent, transactionId: string | undefined): OutboxEvent {
  return transactionId ? { ...e, transactionId } : e;
}
