/**
 * `PATCH Patient/{id}` with a JSON Patch (`application/json-patch+json`) or a FHIR Patch
 * (`Parameters`). The patched Patient is validated and stored like an update.
 */
import type { Parameters, Patient } from 'fhir/r4';
import { MediatorError } from '../../core/errors';
import { applyFhirPatch } from '../patch/fhir-patch';
import { applyJsonPatch } from '../patch/json-patch';
import type { FhirHandler } from '../types';
import { sourceToPatient } from './present';
import { ifMatchVersion } from '../../http/etag';
import type { PatientValidator } from './write';
import { storePatient } from './write';
import { findGolden } from './resolve';

function patched(current: Patient, body: unknown, contentType: string | undefined): Patient {
  if ((contentType ?? '').startsWith('application/json-patch+json') || Array.isArray(body)) {
    return applyJsonPatch(current, body);
  }
  if (typeof body === 'object' && body !== null && (body as { resourceType?: unknown }).resourceType === 'Parameters') {
    return applyFhirPatch(current, body as Parameters);
  }
  throw new MediatorError('invalid', 'PATCH needs a JSON Patch (application/json-patch+json) or a FHIR Patch Parameters body');
}

/**
 * The PATCH handler.
 * @param validate - the Patient validator
 */
export function patchPatient(validate: PatientValidator): FhirHandler {
  return async (req, api) => {
    const id = req.params.id ?? '';
    const existing = await api.registry.getSourceById(id);
    if (!existing) {
      if (await findGolden(api.registry, id)) throw new MediatorError('not-supported', 'Golden records are edited with PUT');
      throw new MediatorError('not-found', 'Patient not found');
    }
    const version = ifMatchVersion(req.ifMatch);
    const current = sourceToPatient(existing);
    const next = patched(current, req.body, req.contentType);
    const { link: _link, meta: _meta, ...rest } = next;
    const nextLinks = (next.link ?? []).filter((l) => l.type !== 'refer');
    const patient = validate({ ...rest, ...(nextLinks.length > 0 ? { link: nextLinks } : {}) }, id);
    if (!(patient.identifier ?? []).some((i) => i.system === existing.system && i.value === existing.value)) {
      throw new MediatorError('invalid', 'The identifier that keys this record cannot be removed or changed', { expression: 'Patient.identifier' });
    }
    // The version patched: the If-Match one, else the one read (a change in between is refused, 412).
    return storePatient(api, patient, req.actor, existing, version ?? existing.version);
  };
}
