/**
 * A fake iHRIS: its HAPI FHIR server (`/fhir`) holding health workers and their roles, as the iHRIS
 * demo data shapes them (source-systems.md §3: profile, no identifiers, job and facility on the
 * PractitionerRole). Fed with the published excerpt plus generated people.
 */
import type { Practitioner, PractitionerRole } from 'fhir/r4';
import { FakeFhirServer } from './fhir-server';
import type { Person } from './people';

const JOBS = [['2221-1A', 'Nurse'], ['2211-1A', 'Medical Doctor'], ['2262-1A', 'Pharmacist'], ['3256-1A', 'Community Health Officer'], ['2240-1A', 'Midwife']];

/**
 * A health worker of a generated person, in the iHRIS practitioner profile.
 * @param p - the person
 * @param id - iHRIS id (`P…`)
 */
export function practitionerOf(p: Person, id: string): Practitioner {
  return {
    resourceType: 'Practitioner', id, meta: { profile: ['http://ihris.org/fhir/StructureDefinition/ihris-practitioner'] }, active: true,
    name: [{ use: 'official', text: `${p.given} ${p.family}`, given: [p.given], family: p.family }],
    gender: p.sex, birthDate: p.birthDate, ...(p.phone ? { telecom: [{ system: 'phone', value: p.phone }] } : {}),
    extension: [{ url: 'http://ihris.org/fhir/StructureDefinition/ihris-practitioner-nationality', valueCoding: { system: 'urn:iso:std:iso:3166', code: 'SL' } }],
  };
}

/**
 * A role of a health worker.
 * @param id - role id (`PR…`)
 * @param practitioner - the health worker's id
 * @param n - picks the job and facility
 */
export function roleOf(id: string, practitioner: string, n: number): PractitionerRole {
  const [code, text] = JOBS[n % JOBS.length] as [string, string];
  return {
    resourceType: 'PractitionerRole', id, meta: { profile: ['http://ihris.org/fhir/StructureDefinition/ihris-practitioner-role'] }, active: true,
    code: [{ coding: [{ system: 'http://ihris.org/fhir/CodeSystem/ihris-job', code }], text }], practitioner: { reference: `Practitioner/${practitioner}` },
    location: [{ reference: `Location/SL.facility.${n % 40}` }], period: { start: '2015-01-01' },
  };
}

/** The fake iHRIS HAPI server (no login on the internal network). */
export class FakeIhris extends FakeFhirServer {
  constructor() {
    super('/fhir', { maxCount: 1000, defaultCount: 20 });
  }

  /** The FHIR base URL the channel is given. */
  get fhirBase(): string {
    return `${this.url}/fhir`;
  }
}
