/**
 * A fake OpenMRS on loopback (source-systems.md §2): the FHIR2 module's Patient search and
 * paging under `/openmrs/ws/fhir2/R4` (at most 100 a page), REST Web Services v1 patient identifiers
 * for write-back (an added or changed identifier moves the patient's `meta.lastUpdated`, as
 * `dateChanged` does), Basic auth `admin:Admin123` with a JSESSIONID session cookie; and, for an
 * OpenMRS without FHIR2, the Atom Feed module's patient feed and REST v1 patient reads (openmrs-feed.ts).
 */
import type { Identifier, Patient } from 'fhir/r4';
import { FakeFhirServer } from './fhir-server';
import { PatientFeed, restPatientOf } from './openmrs-feed';
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
  /** The Atom Feed module's patient feed: every stored, changed, voided or purged patient. */
  readonly feed: PatientFeed;
  /** Voided patients: gone from FHIR2 searches, still readable through REST v1 by uuid. */
  private readonly voided = new Map<string, Patient>();

  /** @param feedChunk - entries per Atom feed page */
  constructor(feedChunk = 5) {
    this.feed = new PatientFeed(feedChunk);
    this.fhir = new FakeFhirServer('/ws/fhir2/R4', { prefix: '/openmrs', maxCount: 100, defaultCount: 10, auth: { basic: { username: 'admin', password: 'Admin123' }, sessionCookie: 'JSESSIONID=fake-session-0001' } });
    this.fhir.http
      .route('POST', /^\/ws\/rest\/v1\/patient\/([0-9a-f-]{36})\/identifier$/, (r, [uuid]) => this.addIdentifier(r, uuid ?? ''))
      .route('POST', /^\/ws\/rest\/v1\/patient\/([0-9a-f-]{36})\/identifier\/([0-9a-f-]{36})$/, (r, [uuid, id]) => this.changeIdentifier(r, uuid ?? '', id ?? ''))
      .route('GET', /^\/ws\/rest\/v1\/patient\/([0-9a-f-]{36})$/, (_r, [uuid]) => this.restPatient(uuid ?? ''))
      .route('GET', /^\/ws\/atomfeed\/patient\/(recent|\d+)$/, (_r, [page]) => this.feedPage(page ?? ''));
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

  /** @param patients - store patients (each written to the patient feed) */
  put(...patients: Patient[]): void {
    for (const p of patients) this.feed.record(p.id ?? '', this.fhir.get('Patient', p.id ?? '') ? 'UPDATED' : 'CREATED');
    this.fhir.put(...patients);
  }

  /** @param uuid - void a patient: it leaves FHIR2 searches, REST v1 still reads it (voided) */
  void(uuid: string): void {
    const p = this.fhir.get<Patient>('Patient', uuid);
    if (!p) return;
    this.fhir.resources.get('Patient')?.delete(uuid);
    this.voided.set(uuid, p);
    this.feed.record(uuid, 'VOIDED');
  }

  /** @param uuid - purge a patient: gone everywhere (REST v1 answers 404) */
  purge(uuid: string): void {
    this.fhir.resources.get('Patient')?.delete(uuid);
    this.voided.delete(uuid);
    this.feed.record(uuid, 'DELETED');
  }

  private restPatient(uuid: string): FakeReply {
    const live = this.fhir.get<Patient>('Patient', uuid);
    const voided = this.voided.get(uuid);
    if (!live && !voided) return { status: 404, body: { error: { message: 'Object with given uuid doesn\'t exist', code: 'org.openmrs.module.webservices.rest.web.response.ObjectNotFoundException' } } };
    return { body: restPatientOf((live ?? voided) as Patient, !live) };
  }

  private feedPage(page: string): FakeReply {
    const xml = this.feed.page(page === 'recent' ? 'recent' : Number(page), `${this.url}/ws/atomfeed/patient`);
    if (xml === null) return { status: 404, body: { error: { message: 'feed page not found' } } };
    return { body: xml, headers: { 'content-type': 'application/atom+xml;charset=UTF-8' } };
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
    this.feed.record(uuid, 'UPDATED');
    return { status: 201, body: { uuid: id.id, identifier: body.identifier, identifierType: { uuid: body.identifierType } } };
  }

  private changeIdentifier(r: FakeRequest, uuid: string, identifierUuid: string): FakeReply {
    const patient = this.fhir.get<Patient>('Patient', uuid);
    const value = (r.json as { identifier?: string } | undefined)?.identifier;
    if (!patient || !patient.identifier?.some((i) => i.id === identifierUuid)) return { status: 404, body: { error: { message: 'Object with given uuid doesn\'t exist' } } };
    this.fhir.put({ ...patient, identifier: patient.identifier.map((i) => (i.id === identifierUuid ? { ...i, value } : i)) });
    this.feed.record(uuid, 'UPDATED');
    return { body: { uuid: identifierUuid, identifier: value } };
  }
}
