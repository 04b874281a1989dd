/**
 * Patient create, update and conditional update (ITI-104). Every write registers a source record
 * through the registry (matching on create, re-evaluation on change) and returns the stored source
 * Patient with its golden record as `link` (`refer`) and in a header.
 */
import type { Patient } from 'fhir/r4';
import { MediatorError } from '../../core/errors';
import type { Actor } from '../../core/types';
import type { RegistrationResult, SourceRecord } from '../../registry/api';
import { MATCH_OUTCOME_HEADER } from '../extensions';
import { allOk, createdOutcome } from '../outcomes';
import type { FhirContext, FhirHandler, FhirRequest, FhirResult } from '../types';
import { mergeByLink, replacedByLink, withoutReplacedBy } from './merge-link';
import { goldenToPatient, sourceHeaders, sourceIdsOf, sourceToPatient } from './present';
import { etag, ifMatchVersion } from '../../http/etag';
import { parseFullToken } from '../search/token';
import { findGolden } from './resolve';

/** Validates a received Patient; supplied by the plugin (needs the FHIR validator). */
export type PatientValidator = (body: unknown, urlId?: string) => Patient;

function expectedVersion(req: FhirRequest): number | undefined {
  return ifMatchVersion(req.ifMatch);
}

function result(api: FhirContext, r: RegistrationResult, created: boolean): FhirResult {
  const headers = { ...sourceHeaders(api.baseUrl, r.source), [MATCH_OUTCOME_HEADER]: r.outcome };
  return [created ? createdOutcome() : allOk(), sourceToPatient(r.source), headers];
}

function sourceSystemOf(actor: Actor): string {
  return actor.clientId && actor.clientId !== 'anonymous' ? actor.clientId : 'api';
}

/**
 * Store a Patient as a new or existing source record, performing a merge when it carries `replaced-by`.
 * @param api - handler context
 * @param patient - the validated Patient
 * @param actor - who writes
 * @param existing - the source record being updated, if any
 * @param version - the If-Match version
 */
export async function storePatient(api: FhirContext, patient: Patient, actor: Actor, existing?: SourceRecord, version?: number): Promise<FhirResult> {
  const link = replacedByLink(patient);
  const toStore = link ? withoutReplacedBy(patient) : patient;
  const r = await api.registry.registerSource({
    patient: existing ? { ...toStore, id: existing.id } : toStore,
    sourceSystem: existing?.sourceSystem ?? sourceSystemOf(actor),
    actor,
    expectedVersion: existing ? (version ?? existing.version) : undefined,
  });
  // Created by this request: its first version. A racer that lost the creation updated it (version 2+).
  const isNew = !existing && r.source.version === 1 && r.outcome !== 'unchanged';
  if (!link) return result(api, r, isNew);
  await mergeByLink(api.registry, r.source.goldenId, link, actor);
  const source = (await api.registry.getSourceById(r.source.id)) ?? r.source;
  return result(api, { ...r, source }, isNew);
}

/** Refuse an update that drops the identifier keying the source record. */
function checkOwnIdentifier(existing: SourceRecord, patient: Patient): void {
  const keeps = (patient.identifier ?? []).some((i) => i.system === existing.system && i.value === existing.value);
  if (!keeps) {
    throw new MediatorError('invalid', `The identifier ${existing.system}|… that keys this record cannot be removed or changed`, { expression: 'Patient.identifier' });
  }
}

/**
 * `POST Patient` (with optional `If-None-Exist`).
 * @param validate - the Patient validator
 */
export function createPatient(validate: PatientValidator): FhirHandler {
  return async (req, api) => {
    const patient = validate(req.body);
    if (req.ifNoneExist) {
      const id = parseFullToken(new URLSearchParams(req.ifNoneExist).get('identifier') ?? undefined, 'If-None-Exist identifier');
      const found = await api.registry.findSourcesByIdentifier(id);
      if (found.length > 1) throw new MediatorError('multiple-matches', 'If-None-Exist matches several Patients');
      if (found[0]) return [allOk('Exists'), sourceToPatient(found[0]), sourceHeaders(api.baseUrl, found[0])];
    }
    delete patient.id;
    return storePatient(api, patient, req.actor);
  };
}

/**
 * `PUT Patient/{id}`: a source record update, or a steward edit of a golden record.
 * @param validate - the Patient validator
 */
export function updatePatient(validate: PatientValidator): FhirHandler {
  return async (req, api) => {
    const id = req.params.id ?? '';
    const patient = validate(req.body, id);
    const version = expectedVersion(req);
    const existing = await api.registry.getSourceById(id);
    if (existing) {
      checkOwnIdentifier(existing, patient);
      return storePatient(api, patient, req.actor, existing, version);
    }
    const golden = await findGolden(api.registry, id);
    if (!golden || golden.redirectedFrom) {
      throw new MediatorError('not-supported', 'Update as create is not supported: Patient ids are assigned by the server');
    }
    const { id: _id, meta: _meta, link: _link, ...demographics } = patient;
    const updated = await api.registry.patchGolden(id, demographics, req.actor, version);
    return [allOk(), goldenToPatient(updated, await sourceIdsOf(api.registry, updated)), { ETag: etag(updated.version) }];
  };
}

/**
 * `PUT Patient?identifier=system|value` (ITI-104): create if none, update if one, 412 if several.
 * @param validate - the Patient validator
 */
export function conditionalUpdatePatient(validate: PatientValidator): FhirHandler {
  return async (req, api) => {
    const keys = Object.keys(req.query).filter((k) => k !== 'identifier');
    if (keys.length > 0 || req.query.identifier?.length !== 1) {
      throw new MediatorError('invalid', 'Conditional update supports exactly one identifier=system|value criterion');
    }
    const ident = parseFullToken(req.query.identifier[0], 'identifier');
    const patient = validate(req.body, (req.body as { id?: string } | undefined)?.id);
    if (!(patient.identifier ?? []).some((i) => i.system === ident.system && i.value === ident.value)) {
      throw new MediatorError('invalid', 'The Patient must carry the identifier of the condition', { expression: 'Patient.identifier' });
    }
    const found = await api.registry.findSourcesByIdentifier(ident);
    if (found.length > 1) throw new MediatorError('multiple-matches', 'The condition matches several Patients');
    const existing = found[0];
    if (existing && patient.id !== undefined && patient.id !== existing.id) {
      throw new MediatorError('invalid', 'The resource id does not match the Patient found by the condition', { expression: 'Patient.id' });
    }
    if (!existing) delete patient.id;
    return storePatient(api, patient, req.actor, existing, expectedVersion(req));
  };
}
