/**
 * ITI-104 / PMIR "resolve duplicate": an update of the subsumed Patient carrying `active=false` and
 * a `link` of type `replaced-by` merges its golden record into the survivor's. The survivor is named
 * by reference (`Patient/{id}`, a source or golden id) or by identifier.
 */
import type { Patient, PatientLink } from 'fhir/r4';
import { MediatorError } from '../../core/errors';
import type { Actor } from '../../core/types';
import type { GoldenRecord, RegistryService, SourceRecord } from '../../registry/api';
import { findGolden } from './resolve';

/**
 * The `replaced-by` link of a Patient, if any.
 * @param patient - the Patient
 */
export function replacedByLink(patient: Patient): PatientLink | undefined {
  return (patient.link ?? []).find((l) => l.type === 'replaced-by');
}

async function survivorOf(registry: RegistryService, link: PatientLink): Promise<GoldenRecord> {
  const ref = link.other.reference;
  if (ref?.startsWith('Patient/')) {
    const id = ref.slice('Patient/'.length);
    const source = await registry.getSourceById(id);
    const goldenId = source ? source.goldenId : id;
    const found = goldenId ? await findGolden(registry, goldenId) : null;
    if (found) return found.golden;
  }
  const ident = link.other.identifier;
  if (ident?.system && ident.value) {
    const golden = await registry.resolveIdentifier({ system: ident.system, value: ident.value });
    if (golden) return golden;
  }
  throw new MediatorError('invalid', 'The replaced-by Patient is not known', { expression: 'Patient.link.other' });
}

/**
 * Merge the golden record of `goldenId` into the survivor named by the link.
 * @param registry - the registry
 * @param goldenId - golden record of the subsumed Patient
 * @param link - the `replaced-by` link
 * @param actor - who asks
 */
export async function mergeByLink(registry: RegistryService, goldenId: string | null, link: PatientLink, actor: Actor): Promise<GoldenRecord> {
  const survivor = await survivorOf(registry, link);
  if (!goldenId || goldenId === survivor.mpiId) return survivor;
  return registry.merge(survivor.mpiId, goldenId, actor, 'replaced-by link (ITI-104/ITI-93)');
}

/**
 * The Patient to store for a subsumed record: without `replaced-by` links and still active
 * (deactivating would unlink it; the merge carries the meaning).
 * @param patient - the received Patient
 */
export function withoutReplacedBy(patient: Patient): Patient {
  const link = (patient.link ?? []).filter((l) => l.type !== 'replaced-by');
  const out: Patient = { ...patient, active: true, link };
  if (link.length === 0) delete out.link;
  return out;
}

function referOf(patient: Patient): string | undefined {
  const ref = (patient.link ?? []).find((l) => l.type === 'refer')?.other.reference;
  return ref?.startsWith('Patient/') ? ref.slice('Patient/'.length) : undefined;
}

/**
 * The MPI ID a source record was merged away from, while that merge is in effect: its history
 * shows a `merge` change moving it off a golden record that now redirects to the one it sits on.
 * An unmerge (or any later move) clears it.
 * @param registry - the registry
 * @param source - the source record
 */
export async function mergedAwayFrom(registry: RegistryService, source: SourceRecord): Promise<string | null> {
  if (!source.goldenId) return null;
  let previous: string | undefined;
  let retired: string | null = null;
  for (const h of await registry.history('source', source.id)) {
    const refer = referOf(h.patient);
    if (refer !== previous) retired = h.operation === 'merge' && previous ? previous : null;
    previous = refer;
  }
  if (!retired) return null;
  const found = await registry.getGolden(retired);
  return found?.redirectedFrom === retired && found.golden.mpiId === source.goldenId ? retired : null;
}
