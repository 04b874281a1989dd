import { GOLDEN_HEADER } from '../../../src/fhir/extensions';
import { buildFhirServer, call, DHIS2, NID } from './helpers';
import { aPatient } from '../../helpers/patients';
import type { FhirTestServer } from './helpers';

describe('FHIR Patient CRUD', () => {
  let t: FhirTestServer;
  beforeEach(async () => {
    t = await buildFhirServer();
  });

  it('creates a Patient and returns the stored source with Location, ETag and its golden record', async () => {
    const res = await call(t.server, 'POST', '/fhir/Patient', aPatient());
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    expect(res.headers.location).toBe(`http://mpi.test/fhir/Patient/${id}/_history/1`);
    expect(res.headers.etag).toBe('W/"1"');
    const link = (res.body.link as Array<{ type: string; other: { reference: string } }>)[0];
    expect(link?.type).toBe('refer');
    expect(res.headers[GOLDEN_HEADER.toLowerCase()]).toBe(link?.other.reference);
    const read = await call(t.server, 'GET', `/fhir/Patient/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(id);
    const golden = await call(t.server, 'GET', `/fhir/${link?.other.reference}`);
    expect(golden.status).toBe(200);
    expect(golden.body.link).toEqual([{ other: { reference: `Patient/${id}` }, type: 'seealso' }]);
  });

  it('updates with If-Match and answers 412 on a stale version', async () => {
    const created = await call(t.server, 'POST', '/fhir/Patient', aPatient());
    const id = created.body.id as string;
    const next = { ...aPatient({ id, name: [{ family: 'Diop', given: ['Awa', 'Marie'] }] }) };
    const ok = await call(t.server, 'PUT', `/fhir/Patient/${id}`, next, { 'if-match': 'W/"1"' });
    expect(ok.status).toBe(200);
    expect(ok.body.meta).toMatchObject({ versionId: '2' });
    const stale = await call(t.server, 'PUT', `/fhir/Patient/${id}`, next, { 'if-match': 'W/"1"' });
    expect(stale.status).toBe(412);
    expect(stale.body.resourceType).toBe('OperationOutcome');
    const v1 = await call(t.server, 'GET', `/fhir/Patient/${id}/_history/1`);
    expect(v1.status).toBe(200);
    expect((v1.body.name as Array<{ given: string[] }>)[0]?.given).toEqual(['Awa']);
  });

  it('conditional update creates, then updates, then 412 when several match (ITI-104)', async () => {
    const url = `/fhir/Patient?identifier=${encodeURIComponent(`${DHIS2}|TE123`)}`;
    const p = aPatient({ identifier: [{ system: DHIS2, value: 'TE123' }] });
    const first = await call(t.server, 'PUT', url, p);
    expect(first.status).toBe(201);
    const second = await call(t.server, 'PUT', url, { ...p, gender: 'female', birthDate: '1990-04-13' });
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
    await call(t.server, 'POST', '/fhir/Patient', aPatient({ identifier: [{ system: 'urn:other', value: 'X1' }, { system: 'urn:shared', value: 'S' }] }));
    await call(t.server, 'POST', '/fhir/Patient', aPatient({ identifier: [{ system: 'urn:other', value: 'X2' }, { system: 'urn:shared', value: 'S' }], name: [{ family: 'Ndiaye', given: ['Moussa'] }], gender: 'male', birthDate: '1970-01-01' }));
    const multi = await call(t.server, 'PUT', `/fhir/Patient?identifier=${encodeURIComponent('urn:shared|S')}`, aPatient({ identifier: [{ system: 'urn:shared', value: 'S' }] }));
    expect(multi.status).toBe(412);
  });

  it('concurrent conditional updates of one identifier make one source record, created once', async () => {
    const url = `/fhir/Patient?identifier=${encodeURIComponent(`${DHIS2}|RACE1`)}`;
    const versions = Array.from({ length: 8 }, (_, i) => aPatient({ identifier: [{ system: DHIS2, value: 'RACE1' }], telecom: [{ system: 'phone', value: `+22177123450${i}` }] }));
    const results = await Promise.all(versions.map((p) => call(t.server, 'PUT', url, p)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 201)).toBe(true);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const found = await call(t.server, 'GET', `/fhir/Patient?record=source&identifier=${encodeURIComponent(`${DHIS2}|RACE1`)}`);
    expect(found.body.total).toBe(1);
  });

  it('two concurrent updates carrying the same If-Match: one succeeds, the other gets 412', async () => {
    const created = await call(t.server, 'POST', '/fhir/Patient', aPatient());
    const id = created.body.id as string;
    const edit = (phone: string): ReturnType<typeof call> => call(t.server, 'PUT', `/fhir/Patient/${id}`, aPatient({ id, telecom: [{ system: 'phone', value: phone }] }), { 'if-match': 'W/"1"' });
    const statuses = (await Promise.all([edit('+221770000001'), edit('+221770000002')])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 412]);
    const read = await call(t.server, 'GET', `/fhir/Patient/${id}`);
    expect(read.body.meta).toMatchObject({ versionId: '2' });
  });

  it('soft-deletes (active=false) and conditional delete', async () => {
    const created = await call(t.server, 'POST', '/fhir/Patient', aPatient());
    const id = created.body.id as string;
    const del = await call(t.server, 'DELETE', `/fhir/Patient/${id}`);
    expect(del.status).toBe(200);
    const read = await call(t.server, 'GET', `/fhir/Patient/${id}`);
    expect(read.body.active).toBe(false);
    const cond = await call(t.server, 'DELETE', `/fhir/Patient?identifier=${encodeURIComponent(`${NID}|nobody`)}`);
    expect(cond.status).toBe(200);
  });

  it('patches with JSON Patch and FHIR Patch', async () => {
    const created = await call(t.server, 'POST', '/fhir/Patient', aPatient());
    const id = created.body.id as string;
    const jp = await call(t.server, 'PATCH', `/fhir/Patient/${id}`, JSON.stringify([{ op: 'replace', path: '/gender', value: 'other' }]), { 'content-type': 'application/json-patch+json' });
    expect(jp.status).toBe(200);
    expect(jp.body.gender).toBe('other');
    const fp = {
      resourceType: 'Parameters',
      parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'add' }, { name: 'path', valueString: 'Patient' }, { name: 'name', valueString: 'telecom' }, { name: 'value', valueContactPoint: { system: 'email', value: 'awa@example.org' } }] }],
    };
    const res = await call(t.server, 'PATCH', `/fhir/Patient/${id}`, fp, { 'content-type': 'application/fhir+json' });
    expect(res.status).toBe(200);
    expect(res.body.telecom).toHaveLength(2);
  });

  it('404 for an unknown id, 405 for update-as-create', async () => {
    expect((await call(t.server, 'GET', '/fhir/Patient/nope')).status).toBe(404);
    expect((await call(t.server, 'PUT', '/fhir/Patient/nope', aPatient({ id: 'nope' }))).status).toBe(405);
  });
});
