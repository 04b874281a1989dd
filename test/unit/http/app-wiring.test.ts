import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import { expectValidFhir } from '../../helpers/fhir-schema';

describe('the composed app', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(async () => {
    await app.stop();
  });

  it('serves the FHIR API from the composition root', async () => {
    const res = await app.server.inject('/fhir/metadata');
    expect(res.statusCode).toBe(200);
    expectValidFhir(JSON.parse(res.payload));
  });

  it('lists the AuditEvent search the audit module serves under /fhir in the CapabilityStatement', async () => {
    const cs = JSON.parse((await app.server.inject('/fhir/metadata')).payload) as { rest: Array<{ resource: Array<{ type: string; interaction?: Array<{ code: string }>; searchParam?: Array<{ name: string }> }> }> };
    const audit = cs.rest[0]?.resource.find((r) => r.type === 'AuditEvent');
    expect(audit?.interaction?.map((i) => i.code)).toEqual(['search-type']);
    expect(audit?.searchParam?.map((p) => p.name)).toEqual(['date', 'agent', 'entity', '_count', '_offset']);
    expect(app.server.match('GET', '/fhir/AuditEvent')).not.toBeNull();
  });

  it('registers a Patient through FHIR and puts exactly one identity event in the outbox', async () => {
    const res = await app.server.inject({
      method: 'POST', url: '/fhir/Patient', headers: { 'content-type': 'application/fhir+json' },
      payload: { resourceType: 'Patient', identifier: [{ system: 'http://openmrs.example.org/patient', value: 'W-1' }], name: [{ family: 'Faye', given: ['Awa'] }], birthDate: '1991-02-03', gender: 'female' },
    });
    expect(res.statusCode).toBe(201);
    expectValidFhir(JSON.parse(res.payload));
    await app.relay.flush();
    expect(app.published.map((e) => e.type)).toEqual(['org.passerelle.patient.created']);
    expect(`Patient/${app.published[0]!.key}`).toBe(res.headers['x-passerelle-golden-record']);
  });
});
