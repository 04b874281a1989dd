/**
 * A fake national client registry behaving as OpenCR does (source-systems.md §4): a client id from
 * `x-openhim-clientid` (else 400 "Client ID not found"), an identifier in one of its internal-id
 * systems (else 400), conditional update by identifier, its own matching (same national ID, or same
 * names and birth date) into golden records (CRUIDs), answers with the stored Patient carrying a
 * `refer` link and the `Location` / `LocationCRUID` headers; PDQm-style Patient search.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, Patient } from 'fhir/r4';
import { HttpFake } from './http-fake';
import type { FakeReply, FakeRequest } from './http-fake';

const GOLDEN_TAG = { code: '5c827da5-4858-4f3d-a50c-62ece001efea', display: 'Golden Record' };

/** The fake registry. */
export class FakeNcr {
  readonly http = new HttpFake();
  /** Source records by id. */
  readonly records = new Map<string, Patient>();
  /** Golden record (CRUID) of each source record. */
  readonly goldenOf = new Map<string, string>();

  /** @param internalIdSystems - systems accepted as a client's internal id (systems.internalid.uri) */
  constructor(readonly internalIdSystems: string[] = ['urn:passerelle:mpi-id', 'http://clientregistry.org/openmrs']) {
    this.http.route('PUT', /^\/fhir\/Patient$/, (r) => this.upsert(r)).route('GET', /^\/fhir\/Patient$/, (r) => this.search(r));
  }

  /** The FHIR base the channel is given. */
  get fhirBase(): string {
    return `${this.http.url}/fhir`;
  }

  start(port = 0): Promise<string> {
    return this.http.start(port);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private matchKey(p: Patient): string[] {
    const nid = (p.identifier ?? []).filter((i) => /national/.test(i.system ?? '')).map((i) => `nid|${i.value ?? ''}`);
    const n = p.name?.[0];
    return [...nid, `demo|${(n?.family ?? '').toLowerCase()}|${(n?.given?.[0] ?? '').toLowerCase()}|${p.birthDate ?? ''}`];
  }

  private goldenFor(p: Patient, selfId: string): string {
    const keys = new Set(this.matchKey(p));
    for (const [id, other] of this.records) {
      if (id !== selfId && this.matchKey(other).some((k) => keys.has(k))) return this.goldenOf.get(id) as string;
    }
    return this.goldenOf.get(selfId) ?? randomUUID();
  }

  private upsert(r: FakeRequest): FakeReply {
    if (!r.headers['x-openhim-clientid']) return { status: 400, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: 'Client ID not found' }] } };
    const patient = r.json as Patient | undefined;
    const [system, value] = (r.query.get('identifier') ?? '').split('|');
    if (!patient || patient.resourceType !== 'Patient' || !(patient.identifier ?? []).some((i) => this.internalIdSystems.includes(i.system ?? ''))) {
      return { status: 400, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: 'Patient resource has no identifier for internalid registered by client registry' }] } };
    }
    const existing = [...this.records].find(([, p]) => (p.identifier ?? []).some((i) => i.system === system && i.value === value))?.[0];
    const id = existing ?? randomUUID();
    const golden = this.goldenFor(patient, id);
    const stored: Patient = { ...patient, id, meta: { tag: [{ system: 'http://openclientregistry.org/fhir/clientid', code: String(r.headers['x-openhim-clientid']) }] }, link: [{ type: 'refer', other: { reference: `Patient/${golden}` } }] };
    this.records.set(id, stored);
    this.goldenOf.set(id, golden);
    return { status: existing ? 200 : 201, body: stored, headers: { 'content-type': 'application/fhir+json', location: `Patient/${id}`, locationcruid: `Patient/${golden}` } };
  }

  private search(r: FakeRequest): FakeReply {
    const family = r.query.get('family')?.toLowerCase();
    const birthdate = r.query.get('birthdate');
    const found = [...this.records.values()].filter((p) => (!family || p.name?.[0]?.family?.toLowerCase() === family) && (!birthdate || p.birthDate === birthdate));
    const goldens = [...new Set(found.map((p) => this.goldenOf.get(p.id ?? '') ?? ''))].map((g): Patient => ({ resourceType: 'Patient', id: g, meta: { tag: [GOLDEN_TAG] } }));
    const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset', total: found.length, entry: [...found, ...goldens].map((resource) => ({ resource })) };
    return { body: bundle, headers: { 'content-type': 'application/fhir+json' } };
  }
}
