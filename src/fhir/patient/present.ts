/**
 * How registry records appear as FHIR Patients: a source record is its stored Patient with a
 * `link` of type `refer` to its golden record; a golden record is its computed Patient with `seealso`
 * links to its sources, or — once merged away — `active=false` and `replaced-by` its survivor.
 */
import type { Patient, PatientLink } from 'fhir/r4';
import type { GoldenRecord, RegistryService, SourceRecord } from '../../registry/api';
import { GOLDEN_HEADER } from '../extensions';
import type { ResponseHeaders } from '../types';
import { etag } from '../../http/etag';

export { etag };

/**
 * A source record as a FHIR Patient.
 * @param source - the source record
 */
export function sourceToPatient(source: SourceRecord): Patient {
  const others = (source.patient.link ?? []).filter((l) => l.type !== 'refer');
  const link: PatientLink[] = source.goldenId ? [{ other: { reference: `Patient/${source.goldenId}` }, type: 'refer' }, ...others] : others;
  const patient: Patient = {
    ...source.patient,
    resourceType: 'Patient',
    id: source.id,
    meta: { ...source.patient.meta, versionId: String(source.version), lastUpdated: source.updatedAt },
    active: source.active,
    link,
  };
  if (link.length === 0) delete patient.link;
  return patient;
}

/**
 * A golden record as a FHIR Patient, with `seealso` links to its sources (by logical id).
 * @param golden - the golden record
 * @param sourceIds - logical ids of its source records
 */
export function goldenToPatient(golden: GoldenRecord, sourceIds: string[]): Patient {
  const link: PatientLink[] =
    golden.status === 'merged' && golden.mergedInto
      ? [{ other: { reference: `Patient/${golden.mergedInto}` }, type: 'replaced-by' }]
      : sourceIds.map((id) => ({ other: { reference: `Patient/${id}` }, type: 'seealso' }));
  return {
    ...golden.patient,
    resourceType: 'Patient',
    id: golden.mpiId,
    meta: { ...golden.patient.meta, versionId: String(golden.version), lastUpdated: golden.updatedAt },
    active: golden.status === 'active',
    ...(link.length > 0 ? { link } : {}),
  };
}

/**
 * Logical ids of a golden record's sources.
 * @param registry - the registry
 * @param golden - the golden record
 */
export async function sourceIdsOf(registry: RegistryService, golden: GoldenRecord): Promise<string[]> {
  return golden.sourceIds;
}

/**
 * A golden record rendered with its source links.
 * @param registry - the registry
 * @param golden - the golden record
 */
export async function presentGolden(registry: RegistryService, golden: GoldenRecord): Promise<Patient> {
  return goldenToPatient(golden, golden.status === 'merged' ? [] : await sourceIdsOf(registry, golden));
}

/**
 * Headers of a stored source Patient: Location, ETag, Last-Modified and its golden record.
 * @param baseUrl - the FHIR base URL
 * @param source - the source record
 */
export function sourceHeaders(baseUrl: string, source: SourceRecord): ResponseHeaders {
  const headers: ResponseHeaders = {
    Location: `${baseUrl}/Patient/${source.id}/_history/${source.version}`,
    ETag: etag(source.version),
    'Last-Modified': new Date(source.updatedAt).toUTCString(),
  };
  if (source.goldenId) headers[GOLDEN_HEADER] = `Patient/${source.goldenId}`;
  return headers;
}
