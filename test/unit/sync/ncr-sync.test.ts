import type { Patient } from 'fhir/r4';
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import { FakeNcr } from '../../helpers/fakes/ncr';
import { person } from '../../helpers/fakes/people';
import type { Person } from '../../helpers/fakes/people';
import { call, ncrEnv } from '../../helpers/sync';

const fake = new FakeNcr();
let app: TestApp;
const actor = { clientId: 'test' };

function patientOf(p: Person, system: string, id: string): Patient {
  return {
    resourceType: 'Patient', identifier: [{ system, value: id }, { system: 'urn:passerelle:national-id', value: p.nationalId, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NI' }] } }],
    name: [{ family: p.family, given: [p.given] }], gender: p.sex, birthDate: p.birthDate,
  };
}

beforeAll(() => fake.start());
afterAll(() => fake.close());
beforeEach(async () => {
  fake.records.clear();
  fake.goldenOf.clear();
  fake.http.reset();
  app = await buildTestApp(ncrEnv(fake.fhirBase));
});
afterEach(() => app.stop());

describe('the national registry channel', () => {
  it('sends each golden record once, by conditional update on its MPI ID, and cross-references the registry id', async () => {
    const a = await app.registry.service.registerSource({ patient: patientOf(person(1), 'urn:a', 'A1'), sourceSystem: 'a', actor });
    await app.registry.service.registerSource({ patient: patientOf(person(1), 'urn:b', 'B1'), sourceSystem: 'b', actor });
    await app.registry.service.registerSource({ patient: patientOf(person(2), 'urn:a', 'A2'), sourceSystem: 'a', actor });
    const run = await call(app.server, 'POST', '/sync/ncr/run');
    expect(run.body).toMatchObject({ status: 'succeeded', counts: { created: 2, failed: 0, written_back: 2 } });
    const put = fake.http.requests.find((r) => r.method === 'PUT');
    expect(put?.query.get('identifier')).toMatch(/^urn:passerelle:mpi-id\|SN-DKR-/);
    expect(put?.headers['x-openhim-clientid']).toBe('passerelle');
    const sent = [...fake.records.values()].find((p) => p.identifier?.some((i) => i.value === a.golden.mpiId));
    const cruid = fake.goldenOf.get(sent?.id ?? '') ?? '';
    expect((await app.registry.service.resolveIdentifier({ system: 'urn:passerelle:ncr:patient', value: cruid }))?.mpiId).toBe(a.golden.mpiId);
    const again = await call(app.server, 'POST', '/sync/ncr/run');
    expect(again.body.counts).toMatchObject({ created: 0, updated: 0 });
    expect(fake.http.requests.filter((r) => r.method === 'PUT')).toHaveLength(2);
  });

  it('sends a golden record again when it changes', async () => {
    await app.registry.service.registerSource({ patient: patientOf(person(3), 'urn:a', 'A3'), sourceSystem: 'a', actor });
    await call(app.server, 'POST', '/sync/ncr/run');
    await app.registry.service.registerSource({ patient: { ...patientOf(person(3), 'urn:a', 'A3'), telecom: [{ system: 'phone', value: '+23276111222' }] }, sourceSystem: 'a', actor });
    const run = await call(app.server, 'POST', '/sync/ncr/run');
    expect(run.body.counts).toMatchObject({ updated: 1 });
    expect([...fake.records.values()][0]?.telecom?.[0]?.value).toBe('+23276111222');
  });

  it('keeps a golden record the registry refuses as a dead letter and goes on', async () => {
    await app.stop();
    app = await buildTestApp(ncrEnv(fake.fhirBase, { NCR_CLIENT_ID: '' }));
    await app.registry.service.registerSource({ patient: patientOf(person(4), 'urn:a', 'A4'), sourceSystem: 'a', actor });
    const run = await call(app.server, 'POST', '/sync/ncr/run');
    expect(run.body).toMatchObject({ status: 'succeeded', counts: { failed: 1 } });
    const failures = await call(app.server, 'GET', '/sync/failures?channel=ncr');
    expect(failures.body.items[0]).toMatchObject({ stage: 'outbound', reason: 'ncr answered 400', resource_type: 'Patient' });
  });
});

describe('asking the national registry on a $match miss', () => {
  it('takes in the registry record of an unknown person and finds them on the second look', async () => {
    const p = person(9);
    fake.records.set('ncr-1', { resourceType: 'Patient', id: 'ncr-1', identifier: [{ system: 'http://clientregistry.org/openmrs', value: 'X9' }], name: [{ family: p.family, given: [p.given] }], gender: p.sex, birthDate: p.birthDate });
    fake.goldenOf.set('ncr-1', 'cruid-9');
    const body = { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient', name: [{ family: p.family, given: [p.given] }], gender: p.sex, birthDate: p.birthDate } }] };
    const off = await call(app.server, 'POST', '/fhir/Patient/$match', body, { 'content-type': 'application/fhir+json' });
    expect(off.body.total).toBe(0);
    await app.stop();
    app = await buildTestApp(ncrEnv(fake.fhirBase, { NCR_QUERY_ON_MATCH_MISS: 'true' }));
    const on = await call(app.server, 'POST', '/fhir/Patient/$match', body, { 'content-type': 'application/fhir+json' });
    expect(on.body.total).toBe(1);
    expect(await app.registry.service.getSource('urn:passerelle:ncr:patient/source-record|ncr-1')).not.toBeNull();
  });
});

describe('Patients the national registry pushes', () => {
  const json = { 'content-type': 'application/fhir+json' };
  const registryPatient = (id: string, p: Person): Patient => ({ resourceType: 'Patient', id, name: [{ family: p.family, given: [p.given] }], gender: p.sex, birthDate: p.birthDate });

  it('takes in a pushed Patient and a Bundle of them through the same mapping as the registry\'s answers', async () => {
    const one = await call(app.server, 'POST', '/channels/ncr/Patient', registryPatient('ncr-7', person(7)), json);
    expect(one.status).toBe(200);
    expect(await app.registry.service.getSource('urn:passerelle:ncr:patient/source-record|ncr-7')).not.toBeNull();
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: registryPatient('ncr-8', person(8)) }, { resource: registryPatient('ncr-9', person(9)) }] };
    expect((await call(app.server, 'POST', '/channels/ncr/Patient', bundle, json)).status).toBe(200);
    expect(await app.registry.service.getSource('urn:passerelle:ncr:patient/source-record|ncr-9')).not.toBeNull();
  });

  it('refuses, whole and with the reason, a push holding a golden record or another resource, and another path', async () => {
    const golden = { ...registryPatient('g-1', person(3)), meta: { tag: [{ code: '5c827da5-4858-4f3d-a50c-62ece001efea' }] } };
    const refused = await call(app.server, 'POST', '/channels/ncr/Patient', { resourceType: 'Bundle', type: 'collection', entry: [{ resource: registryPatient('ncr-3', person(3)) }, { resource: golden }] }, json);
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toContain('golden record');
    expect(await app.registry.service.getSource('urn:passerelle:ncr:patient/source-record|ncr-3')).toBeNull();
    const other = await call(app.server, 'POST', '/channels/ncr/Patient', { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Observation' } }] }, json);
    expect(other.status).toBe(400);
    expect((await call(app.server, 'POST', '/channels/ncr/Practitioner', registryPatient('x', person(4)), json)).status).toBe(404);
  });

  it('answers 409 while the registry channel is off', async () => {
    await app.stop();
    app = await buildTestApp();
    expect((await call(app.server, 'POST', '/channels/ncr/Patient', registryPatient('ncr-5', person(5)), json)).status).toBe(409);
  });
});
