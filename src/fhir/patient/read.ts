/** `GET Patient/{id}` and `GET Patient/{id}/_history/{vid}`. */
import type { Patient } from 'fhir/r4';
import { MediatorError } from '../../core/errors';
import { allOk } from '../outcomes';
import type { FhirContext, FhirHandler, FhirRequest, FhirResult, ResponseHeaders } from '../types';
import { etag, presentGolden, sourceToPatient } from './present';
import { resolvePatient, retiredToPatient } from './resolve';
import { findGolden } from './resolve';

function headersOf(p: Patient): ResponseHeaders {
  const h: ResponseHeaders = {};
  if (p.meta?.versionId) h.ETag = etag(p.meta.versionId);
  if (p.meta?.lastUpdated) h['Last-Modified'] = new Date(p.meta.lastUpdated).toUTCString();
  return h;
}

/**
 * The current Patient for an id (source, golden or retired golden).
 * @param api - handler context
 * @param id - the logical id
 */
export async function currentPatient(api: FhirContext, id: string): Promise<Patient> {
  const t = await resolvePatient(api.registry, id);
  switch (t.kind) {
    case 'source':
      return sourceToPatient(t.source);
    case 'golden':
      return presentGolden(api.registry, t.golden);
    case 'retired':
      return retiredToPatient(t);
  }
}

/** Read a Patient: a source record, a golden record, or a merged golden record (inactive, `replaced-by`). */
export const readPatient: FhirHandler = async (req: FhirRequest, api: FhirContext): Promise<FhirResult> => {
  const patient = await currentPatient(api, req.params.id ?? '');
  return [allOk(), patient, headersOf(patient)];
};

/** Read one version of a Patient from its history. */
export const vreadPatient: FhirHandler = async (req: FhirRequest, api: FhirContext): Promise<FhirResult> => {
  const id = req.params.id ?? '';
  const vid = Number(req.params.vid);
  const source = await api.registry.getSourceById(id);
  const entries = source ? await api.registry.history('source', id) : await api.registry.history('golden', id);
  if (!source && entries.length === 0 && !(await findGolden(api.registry, id))) {
    throw new MediatorError('not-found', 'Patient not found');
  }
  const entry = entries.find((e) => e.version === vid);
  if (!entry) throw new MediatorError('not-found', 'Version not found');
  if (entry.deleted) throw new MediatorError('gone', 'This version was deleted');
  const patient: Patient = { ...entry.patient, resourceType: 'Patient', id, meta: { ...entry.patient.meta, versionId: String(entry.version), lastUpdated: entry.at } };
  return [allOk(), patient, headersOf(patient)];
};
