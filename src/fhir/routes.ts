/**
 * The route table of the FHIR API: one line per interaction, with the scope it needs and what it
 * contributes to the CapabilityStatement.
 */
import { version } from '../../package.json';
import { metadata } from './capability';
import type { FhirFormats } from './format';
import { patientHistory, patientTypeHistory } from './history';
import { processBundle } from './operations/batch';
import { feedingAcceptedBundles } from './operations/accepted-bundle';
import { matchPatients } from './operations/match';
import { pixQuery } from './operations/pixm';
import { processMessage } from './operations/pmir';
import { conditionalDeletePatient, deletePatient } from './patient/delete';
import { patchPatient } from './patient/patch';
import { readPatient, vreadPatient } from './patient/read';
import { searchPatients } from './patient/search';
import { conditionalUpdatePatient, createPatient, updatePatient } from './patient/write';
import type { PatientValidator } from './patient/write';
import { PRACTITIONER_SEARCH_PARAMS, readPractitioner, searchPractitioners } from './practitioner';
import { FhirRouter } from './router';
import type { Capability } from './router';
import { PATIENT_SEARCH_PARAMS } from './search/patient-params';
import { expandValueSet, lookupCode, readTerminology, searchTerminology, translateCode, validateCode } from './terminology/handlers';
import { validateResource } from './validate';

const READ = 'system/Patient.read';
const WRITE = 'system/Patient.write';
const PRACT = 'system/Practitioner.read';
const OP = 'http://hl7.org/fhir/OperationDefinition';

function addTerminology(r: FhirRouter): void {
  for (const type of ['CodeSystem', 'ValueSet', 'ConceptMap'] as const) {
    r.add({ method: 'GET', path: `${type}/:id`, handler: readTerminology(type), public: true, capabilities: [{ kind: 'interaction', resource: type, code: 'read' }] });
    r.add({ method: 'GET', path: type, handler: searchTerminology(type), public: true, capabilities: [{ kind: 'interaction', resource: type, code: 'search-type' }, { kind: 'search', resource: type, params: [{ name: 'url', type: 'uri' }, { name: 'name', type: 'string' }] }] });
  }
  const ops: Array<[string, string, Parameters<FhirRouter['add']>[0]['handler'], string]> = [
    ['CodeSystem', '$lookup', lookupCode, `${OP}/CodeSystem-lookup`],
    ['CodeSystem', '$validate-code', validateCode('CodeSystem'), `${OP}/CodeSystem-validate-code`],
    ['ValueSet', '$validate-code', validateCode('ValueSet'), `${OP}/ValueSet-validate-code`],
    ['ValueSet', '$expand', expandValueSet, `${OP}/ValueSet-expand`],
    ['ConceptMap', '$translate', translateCode, `${OP}/ConceptMap-translate`],
  ];
  for (const [type, op, handler, definition] of ops) {
    r.add({ method: 'GET', path: `${type}/${op}`, handler, public: true, capabilities: [{ kind: 'operation', resource: type, name: op.slice(1), definition }] });
    r.add({ method: 'POST', path: `${type}/${op}`, handler, public: true });
  }
}

function addPatient(r: FhirRouter, v: PatientValidator): void {
  r.add({ method: 'GET', path: 'Patient/:id', handler: readPatient, scope: READ, capabilities: [{ kind: 'interaction', resource: 'Patient', code: 'read' }] })
    .add({ method: 'GET', path: 'Patient/:id/_history/:vid', handler: vreadPatient, scope: READ, capabilities: [{ kind: 'interaction', resource: 'Patient', code: 'vread' }] })
    .add({ method: 'GET', path: 'Patient/:id/_history', handler: patientHistory, scope: READ, capabilities: [{ kind: 'interaction', resource: 'Patient', code: 'history-instance' }] })
    .add({ method: 'GET', path: 'Patient/_history', handler: patientTypeHistory, scope: READ, capabilities: [{ kind: 'interaction', resource: 'Patient', code: 'history-type' }] })
    .add({ method: 'GET', path: 'Patient', handler: searchPatients, scope: READ, capabilities: [{ kind: 'interaction', resource: 'Patient', code: 'search-type' }, { kind: 'search', resource: 'Patient', params: PATIENT_SEARCH_PARAMS }] })
    .add({ method: 'POST', path: 'Patient/_search', handler: searchPatients, scope: READ })
    .add({ method: 'POST', path: 'Patient', handler: createPatient(v), scope: WRITE, capabilities: [{ kind: 'interaction', resource: 'Patient', code: 'create' }, { kind: 'conditional', resource: 'Patient', code: 'conditionalCreate' }] })
    .add({ method: 'PUT', path: 'Patient/:id', handler: updatePatient(v), scope: WRITE, capabilities: [{ kind: 'interaction', resource: 'Patient', code: 'update' }] })
    .add({ method: 'PUT', path: 'Patient', handler: conditionalUpdatePatient(v), scope: WRITE, capabilities: [{ kind: 'conditional', resource: 'Patient', code: 'conditionalUpdate' }] })
    .add({ method: 'PATCH', path: 'Patient/:id', handler: patchPatient(v), scope: WRITE, capabilities: [{ kind: 'interaction', resource: 'Patient', code: 'patch' }] })
    .add({ method: 'DELETE', path: 'Patient/:id', handler: deletePatient, scope: WRITE, capabilities: [{ kind: 'interaction', resource: 'Patient', code: 'delete' }] })
    .add({ method: 'DELETE', path: 'Patient', handler: conditionalDeletePatient, scope: WRITE, capabilities: [{ kind: 'conditional', resource: 'Patient', code: 'conditionalDelete' }] })
    .add({ method: 'GET', path: 'Patient/$ihe-pix', handler: pixQuery, scope: READ, capabilities: [{ kind: 'operation', resource: 'Patient', name: 'ihe-pix', definition: 'https://profiles.ihe.net/ITI/PIXm/OperationDefinition/IHE.PIXm.pix' }] })
    .add({ method: 'GET', path: '$cross-reference', handler: pixQuery, scope: READ, capabilities: [{ kind: 'operation', name: 'cross-reference', definition: 'https://passerelle.health/fhir/OperationDefinition/cross-reference' }] })
    .add({ method: 'POST', path: 'Patient/$match', handler: matchPatients(v), scope: READ, capabilities: [{ kind: 'operation', resource: 'Patient', name: 'match', definition: `${OP}/Patient-match` }] });
}

/** CapabilityStatement documentation of the transaction interaction. */
const TRANSACTION_DOC = 'Atomic: the entries run in FHIR order, each Patient through matching, and their changes commit together as one registry change (one change document with all their events) or not at all; a failing entry fails the whole Bundle with one OperationOutcome.';

/**
 * Build the route table.
 * @param formats - the FHIR (de)serialiser and validator
 * @param external - capabilities of routes other modules serve under the FHIR base
 */
export function buildRouter(formats: FhirFormats, external: readonly Capability[] = []): FhirRouter {
  const validate: PatientValidator = (body, urlId) => validateResource(body, 'Patient', formats, urlId);
  const r = new FhirRouter();
  r.add({ method: 'GET', path: 'metadata', handler: metadata(r.routes, version, external), public: true });
  addPatient(r, validate);
  r.add({ method: 'POST', path: '', handler: feedingAcceptedBundles(processBundle(validate)), scope: WRITE, capabilities: [{ kind: 'system', code: 'batch' }, { kind: 'system', code: 'transaction', documentation: TRANSACTION_DOC }] })
    .add({ method: 'POST', path: '$process-message', handler: feedingAcceptedBundles(processMessage(validate)), scope: WRITE, capabilities: [{ kind: 'operation', name: 'process-message', definition: `${OP}/MessageHeader-process-message` }] })
    .add({ method: 'GET', path: 'Practitioner/:id', handler: readPractitioner, scope: PRACT, capabilities: [{ kind: 'interaction', resource: 'Practitioner', code: 'read' }] })
    .add({ method: 'GET', path: 'Practitioner', handler: searchPractitioners, scope: PRACT, capabilities: [{ kind: 'interaction', resource: 'Practitioner', code: 'search-type' }, { kind: 'search', resource: 'Practitioner', params: PRACTITIONER_SEARCH_PARAMS }] });
  addTerminology(r);
  return r;
}
