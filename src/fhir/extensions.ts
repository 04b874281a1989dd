/** Extension URLs and response headers of the Passerelle FHIR API (documented in the CapabilityStatement). */

const SD = 'https://passerelle.health/fhir/StructureDefinition';

/** The HL7 match-grade extension on `Bundle.entry.search` ($match). */
export const MATCH_GRADE_URL = 'http://hl7.org/fhir/StructureDefinition/match-grade';
/** Per-field explanation of a match decision: one sub-extension per field (`level`, `weight`). */
export const MATCH_EXPLANATION_URL = `${SD}/match-explanation`;
/** One changed field of a history version (repeats), on `meta`. */
export const CHANGED_FIELD_URL = `${SD}/changed-field`;
/** A Practitioner's Patient golden record, when the health worker is also registered as a patient (stored with the Practitioner). */
export { PRACTITIONER_PATIENT_URL } from '../practitioners/port';
/** The registration outcome (created, linked, review, updated, unchanged) on create/update. */
export const MATCH_OUTCOME_HEADER = 'X-Passerelle-Match-Outcome';
/** The golden record (`Patient/{mpiId}`) a created or updated source record links to. */
export const GOLDEN_HEADER = 'X-Passerelle-Golden-Record';
/** MessageHeader event of the IHE PMIR patient feed (ITI-93). */
export const PMIR_EVENT = 'urn:ihe:iti:pmir:2019:patient-feed';
