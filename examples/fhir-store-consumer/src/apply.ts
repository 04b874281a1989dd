/**
 * Applying one Passerelle patient event to a FHIR store. The event's value is an IHE PMIR message:
 * a MessageHeader focused on a `history` Bundle holding every Patient the change touched — golden
 * records (id = MPI ID) and source records — each at its new version (`meta.versionId`), a merged-away
 * golden record with `active: false` and a `replaced-by` link to its survivor.
 *
 * Events of different MPI IDs travel on different partitions, so a Patient can arrive in an older
 * version after a newer one. The store therefore keeps, on each Patient, the MPI version it holds
 * (extension MPI_VERSION_URL) and a write happens only for a newer version, conditional on the
 * store's own version (If-Match), re-read and retried when someone wrote meanwhile.
 */
import type { FhirClient } from './fhir-client';

/** Extension holding the MPI's `meta.versionId` of the Patient a store holds. */
export const MPI_VERSION_URL = 'https://passerelle.health/fhir/StructureDefinition/mpi-version';

/** A Patient as events carry it (only what the consumer reads is typed). */
export interface EventPatient {
  resourceType: 'Patient';
  id: string;
  meta?: { versionId?: string; lastUpdated?: string };
  extension?: Array<{ url: string; valueString?: string }>;
  [element: string]: unknown;
}

/** What applying an event did. */
export interface Applied {
  written: number;
  /** Patients skipped because the store already holds that version or a newer one. */
  stale: number;
}

/**
 * The Patients of a patient event's value, in order.
 * @param value - the parsed event value
 */
export function patientsOf(value: unknown): EventPatient[] {
  const message = value as { resourceType?: string; type?: string; entry?: Array<{ resource?: { resourceType?: string; type?: string; entry?: Array<{ resource?: EventPatient }> } }> };
  if (message?.resourceType !== 'Bundle' || message.type !== 'message') throw new Error('the value is not a FHIR message Bundle');
  const history = message.entry?.find((e) => e.resource?.resourceType === 'Bundle' && e.resource.type === 'history')?.resource;
  if (!history) throw new Error('the message has no history Bundle');
  return (history.entry ?? []).map((e) => e.resource).filter((r): r is EventPatient => r?.resourceType === 'Patient' && typeof r.id === 'string');
}

/**
 * The MPI version a Patient carries (from an event: meta.versionId; from the store: the extension).
 * @param p - a Patient
 * @param stored - read it from the store's extension
 */
export function mpiVersion(p: EventPatient, stored: boolean): number {
  const v = stored ? p.extension?.find((x) => x.url === MPI_VERSION_URL)?.valueString : p.meta?.versionId;
  return Number(v ?? 0);
}

/** The Patient as the store keeps it: the event's, with its MPI version in the extension, without meta. */
function toStore(p: EventPatient): EventPatient {
  const { meta: _meta, ...rest } = p;
  const extension = [...(p.extension ?? []).filter((x) => x.url !== MPI_VERSION_URL), { url: MPI_VERSION_URL, valueString: String(mpiVersion(p, false)) }];
  return { ...rest, extension };
}

/**
 * Write one Patient unless the store holds that MPI version or a newer one.
 * @param client - the FHIR store
 * @param patient - the Patient from the event
 * @returns whether it was written
 */
export async function applyPatient(client: FhirClient, patient: EventPatient): Promise<boolean> {
  const incoming = mpiVersion(patient, false);
  for (let attempt = 0; attempt < 10; attempt++) {
    const current = await client.read<EventPatient>('Patient', patient.id);
    if (current && mpiVersion(current.resource, true) >= incoming) return false;
    if (!(await client.update(toStore(patient), current?.serverVersion))) continue;
    if (current) return true;
    // A create is unconditional: check that no older write of a concurrent consumer landed after it.
    const after = await client.read<EventPatient>('Patient', patient.id);
    if (after && mpiVersion(after.resource, true) >= incoming) return true;
  }
  throw new Error(`Patient/${patient.id}: the store kept changing under concurrent writes`);
}

/**
 * Apply every Patient of one event.
 * @param client - the FHIR store
 * @param value - the parsed event value
 */
export async function applyEvent(client: FhirClient, value: unknown): Promise<Applied> {
  const out: Applied = { written: 0, stale: 0 };
  for (const p of patientsOf(value)) {
    if (await applyPatient(client, p)) out.written += 1;
    else out.stale += 1;
  }
  return out;
}
