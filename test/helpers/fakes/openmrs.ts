/**
 * A fake OpenMRS on loopback (source-systems.md §2): the FHIR2 module's Patient search and
 * paging under `/openmrs/ws/fhir2/R4` (at most 100 a page), REST Web Services v1 patient identifiers
 * for write-back (an added or changed identifier moves the patient's `meta.lastUpdated`, as
 * `dateChanged` does), Basic auth `admin:Admin123` with a JSESSIONID session cookie.
 */
import type { Identifier, Patient } from 'fhir/r4';
import { FakeFhirServer } from './fhir-server';
import type { FakeReply, FakeRequest } from './http-fake';
import type { Person } from './people';
import { uuidOf } from './people';

/** The Reference Application's "OpenMRS ID" identifier type. */
export const OPENMRS_ID_TYPE = '05a29f94-c0ed-11e2-94be-8c13b969e334';
/** An identifier type a deployment creates for the MPI ID. */
export const MPI_ID_TYPE = '6d6f2e3c-7a5b-4c1d-9e8f-0a1b2c3d4e5f';

/**
 * A patient of a generated person as the FHIR2 module returns it.
 * @param p - the person
 * @param opts - uuid and OpenMRS ID
 */
export function openmrsPatientOf(p: Person, opts: { uuid?: string; openmrsId?: string } = {}): Patient {
  const uuid = opts.uuid ?? uuidOf(p.index, 2);
  return {
    resourceType: 'Patient', id: uuid,
    text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><table class="hapiPropertyTable"><tbody/></table></div>' },
    identifier: [{ id: uuidOf(p.index, 3), use: 'official', type: { coding: [{ code: OPENMRS_ID_TYPE }], text: 'OpenMRS ID' }, value: opts.openmrsId ?? `1${String(p.index).padStart(5, '0')}X` }],
    active: true,
    name: [{ id: uuidOf(p.index, 4), text: `${p.given} ${p.family}`, family: p.family, given: [p.given] }],
    gender: p.sex, birthDate: p.birthDate, deceasedBoolean: false,
    ...(p.phone ? { telecom: [{ id: uuidOf(p.index, 5), system: 'phone', value: p.phone }] } : {}),
    address: [{ id: uuidOf(p.index, 6), use: 'home', city: p.city, country: 'Sierra Leone' }],
  };
}

/** The fake OpenMRS. */
export class FakeOpenmrs {
  readonly fhir: FakeFhirServer;

  constructor() {
    this.fhir = new FakeFhirServer('/ws/fhir2/R4', { prefix: '/openmrs', maxCount: 100, defaultCount: 10, auth: { basic: { username: 'admin', password: 'Admin123' }, sessionCookie: 'JSESSIONID=fake-session-0001' } });
    this.fhir.http
      .route('POST', /^\/ws\/rest\/v1\/patient\/([0-9a-f-]{36})\/identifier$/, (r, [uuid]) => this.addIdentifier(r, uuid ?? ''))
      .route('POST', /^\/ws\/rest\/v1\/patient\/([0-9a-f-]{36})\/identifier\/([0-9a-f-]{36})$/, (r, [uuid, id]) => this.changeIdentifier(r, uuid ?? '', id ?? ''));
  }

  /** Base URL (the OpenMRS root, `…/openmrs`). */
  get url(): string {
    return this.fhir.url;
  }

  start(port = 0): Promise<string> {
    return this.fhir.start(port);
  }

  close(): Promise<void> {
    return this.fhir.close();
  }

  /** @param patients - store patients */
  put(...patients: Patient[]): void {
    this.fhir.put(...patients);
  }

  /** The value of a patient's identifier of a type. */
  identifier(uuid: string, type: string): string | undefined {
    return this.fhir.get<Patient>('Patient', uuid)?.identifier?.find((i) => i.type?.coding?.[0]?.code === type)?.value;
  }

  private addIdentifier(r: FakeRequest, uuid: string): FakeReply {
    const patient = this.fhir.get<Patient>('Patient', uuid);
    const body = r.json as { identifier?: string; identifierType?: string } | undefined;
    if (!patient) return { status: 404, body: { error: { message: 'Object with given uuid doesn\'t exist' } } };
    if (!body?.identifier || !body.identifierType) return { status: 400, body: { error: { message: 'Invalid Submission', code: 'webservices.rest.error.invalid.submission' } } };
    const id: Identifier = { id: uuidOf((patient.identifier?.length ?? 0) + 1000, 9), use: 'usual', type: { coding: [{ code: body.identifierType }], text: 'MPI ID' }, value: body.identifier };
    this.fhir.put({ ...patient, identifier: [...(patient.identifier ?? []), id] });
    return { status: 201, body: { uuid: id.id, identifier: body.identifier, identifierType: { uuid: body.identifierType } } };
  }

  private changeIdentifier(r: FakeRequest, uuid: string, identifierUuid: string): FakeReply {
    const patient = this.fhir.get<Patient>('Patient', uuid);
    const value = (r.json as { identifier?: string } | undefined)?.identifier;
    if (!patient || !patient.identifier?.some((i) => i.id === identifierUuid)) return { status: 404, body: { error: { message: 'Object with given uuid doesn\'t exist' } } };
    this.fhir.put({ ...patient, identifier: patient.identifier.map((i) => (i.id === identifierUuid ? { ...i, value } : i)) });
    return { body: { uuid: identifierUuid, identifier: value } };
  }
}
