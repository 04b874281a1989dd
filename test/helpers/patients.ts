/**
 * The one Patient test-data builder: a complete, valid FHIR R4 Patient (Awa Diop, Dakar), any field
 * replaced by `over` (`undefined` removes it). Give each record of a test its own identifier: the
 * first identifier is the source record's key.
 */
import type { Patient } from 'fhir/r4';

/** Senegal's national identification number (the default identifier's system). */
export const NATIONAL_ID = 'urn:oid:1.2.250.1.1';

/**
 * A Patient.
 * @param over - fields to replace (a whole field at a time: `name`, `identifier`…)
 */
export function aPatient(over: Partial<Patient> = {}): Patient {
  const patient: Patient = {
    resourceType: 'Patient',
    identifier: [{ system: NATIONAL_ID, value: '1234567890' }],
    name: [{ family: 'Diop', given: ['Awa'] }],
    gender: 'female',
    birthDate: '1990-04-12',
    telecom: [{ system: 'phone', value: '+221771234567' }],
    address: [{ city: 'Dakar', country: 'SN', postalCode: '10200', state: 'Dakar' }],
    ...over,
  };
  for (const [k, v] of Object.entries(patient)) if (v === undefined) delete (patient as unknown as Record<string, unknown>)[k];
  return patient;
}
