/**
 * ITI-104 / PMIR "resolve duplicate": an update of the subsumed Patient carrying `active=false` and
 * a `link` of type `replaced-by` merges its golden record into the survivor's. The survivor is named
 * by reference (`Patient/{id}`, a source or golden id) or by identifier.
 */
import type { Patient, PatientLink } from 'fhir/r4';
import { MediatorError } from '../../core/errors';
import type { Actor } from '../../core/types';
import type { GoldenRecord, RegistryService } from '../../registry/ports';
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
