/**
 * Find what a Patient logical id names: a source record, an active golden record, or a golden
 * record merged away (read from its history, shown inactive with `replaced-by`).
 */
import type { Patient } from 'fhir/r4';
import { MediatorError } from '../../core/errors';
import type { GoldenRecord, RegistryService, SourceRecord } from '../../registry/api';

/** What a Patient id resolves to. */
export type PatientTarget =
  | { kind: 'source'; source: SourceRecord }
  | { kind: 'golden'; golden: GoldenRecord }
  | { kind: 'retired'; id: string; survivor: GoldenRecord; patient: Patient; version: number; updatedAt: string };

/**
 * `getGolden` where an id that is not a well-formed MPI ID simply names nothing.
 * @param registry - the registry
 * @param id - the candidate MPI ID
 */
export async function findGolden(registry: RegistryService, id: string): Promise<{ golden: GoldenRecord; redirectedFrom?: string } | null> {
  try {
    return await registry.getGolden(id);
  } catch (err) {
    if (err instanceof MediatorError && err.code === 'invalid') return null;
    throw err;
  }
}

/**
 * Resolve a Patient id; throws not-found.
 * @param registry - the registry
 * @param id - the logical id
 */
export async function resolvePatient(registry: RegistryService, id: string): Promise<PatientTarget> {
  // An id shaped as an MPI ID names a golden record (checked locally, no read); any other, a source.
  const found = await findGolden(registry, id);
  if (!found) {
    const source = await registry.getSourceById(id);
    if (source) return { kind: 'source', source };
    throw new MediatorError('not-found', 'Patient not found');
  }
  if (!found.redirectedFrom || found.redirectedFrom === found.golden.mpiId) return { kind: 'golden', golden: found.golden };
  const history = await registry.history('golden', id);
  const last = history[history.length - 1];
  const patient: Patient = last?.patient ?? { resourceType: 'Patient' };
  return { kind: 'retired', id, survivor: found.golden, patient, version: last?.version ?? 1, updatedAt: last?.at ?? found.golden.updatedAt };
}

/**
 * A retired (merged-away) golden record as a Patient.
 * @param t - the resolved target
 */
export function retiredToPatient(t: Extract<PatientTarget, { kind: 'retired' }>): Patient {
  return {
    ...t.patient,
    resourceType: 'Patient',
    id: t.id,
    meta: { versionId: String(t.version), lastUpdated: t.updatedAt },
    active: false,
    link: [{ other: { reference: `Patient/${t.survivor.mpiId}` }, type: 'replaced-by' }],
  };
}
