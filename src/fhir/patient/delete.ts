/**
 * Patient delete is soft: the source record is deactivated (`active=false`, unlinked) and stays
 * readable. Golden records are not deleted through FHIR (use merge / unlink on /mpi).
 */
import { MediatorError } from '../../core/errors';
import { simpleOutcome } from '../../core/outcome';
import type { FhirContext, FhirHandler, FhirRequest, FhirResult } from '../types';
import { ifMatchVersion } from '../../http/etag';
import { parseFullToken } from '../search/token';
import { findGolden } from './resolve';

function deletedOutcome(count: number): FhirResult {
  const o = simpleOutcome('information', 'informational', count === 0 ? 'No Patient matched; nothing deleted' : 'Patient deactivated (active=false)');
  return [{ ...o, id: 'ok' }, o];
}

/** `DELETE Patient/{id}`. */
export const deletePatient: FhirHandler = async (req: FhirRequest, api: FhirContext): Promise<FhirResult> => {
  const id = req.params.id ?? '';
  const source = await api.registry.getSourceById(id);
  if (!source) {
    if (await findGolden(api.registry, id)) {
      throw new MediatorError('not-supported', 'Golden records cannot be deleted; unlink or merge their sources instead');
    }
    throw new MediatorError('not-found', 'Patient not found');
  }
  // The registry refuses a stale If-Match atomically with the deactivation.
  await api.registry.deactivateSource(source.key, req.actor, ifMatchVersion(req.ifMatch));
  return deletedOutcome(1);
};

/** `DELETE Patient?identifier=system|value`: deactivates the one match; 412 when several match. */
export const conditionalDeletePatient: FhirHandler = async (req: FhirRequest, api: FhirContext): Promise<FhirResult> => {
  if (Object.keys(req.query).some((k) => k !== 'identifier') || req.query.identifier?.length !== 1) {
    throw new MediatorError('invalid', 'Conditional delete supports exactly one identifier=system|value criterion');
  }
  const ident = parseFullToken(req.query.identifier[0], 'identifier');
  const found = (await api.registry.findSourcesByIdentifier(ident)).filter((s) => s.active);
  if (found.length > 1) throw new MediatorError('multiple-matches', 'The condition matches several Patients');
  if (found[0]) await api.registry.deactivateSource(found[0].key, req.actor);
  return deletedOutcome(found.length);
};
