import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRACTITIONER_PATIENT_URL } from '../../../src/fhir/extensions';
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import { FakeIhris, practitionerOf, roleOf } from '../../helpers/fakes/ihris';
import { person } from '../../helpers/fakes/people';
import { call, ihrisEnv } from '../../helpers/sync';

const excerpt = (f: string): unknown => JSON.parse(readFileSync(join(__dirname, '../../fixtures/payloads/ihris', f), 'utf8'));
const fake = new FakeIhris();
let app: TestApp;

beforeAll(() => fake.start());
afterAll(() => fake.close());
beforeEach(async () => {
  fake.resources.clear();
  fake.http.reset();
  for (let i = 0; i < 5; i++) {
    fake.put(practitionerOf(person(300 + i), `P${300 + i}`));
    fake.put(roleOf(`PR${300 + i}`, `P${300 + i}`, i));
  }
  app = await buildTestApp(ihrisEnv(fake.fhirBase));
});
afterEach(() => app.stop());

describe('an iHRIS sync', () => {
  it('fills the practitioner registry, links a health worker who is also a patient, and publishes each change once', async () => {
    const p = person(300);
    await app.registry.service.registerSource({
      patient: { resourceType: 'Patient', identifier: [{ system: 'urn:clinic', value: 'C-1' }], name: [{ family: p.family, given: [p.given] }], gender: p.sex, birthDate: p.birthDate, ...(p.phone ? { telecom: [{ system: 'phone', value: p.phone }] } : {}) },
      sourceSystem: 'clinic', actor: { clientId: 'test' },
    });
    const run = await call(app.server, 'POST', '/sync/ihris/run');
    expect(run.body).toMatchObject({ status: 'succeeded', counts: { received: 10, created: 5, updated: 5, failed: 0 } });
    const read = await call(app.server, 'GET', '/fhir/Practitioner/P300');
    expect(read.status).toBe(200);
    expect(read.body.extension).toEqual(expect.arrayContaining([{ url: PRACTITIONER_PATIENT_URL, valueReference: { reference: expect.stringMatching(/^Patient\/SN-DKR-/) } }]));
    expect((await call(app.server, 'GET', '/fhir/Practitioner/P301')).body.extension?.some((e: { url: string }) => e.url === PRACTITIONER_PATIENT_URL) ?? false).toBe(false);
    await app.relay.flush();
    const events = app.published.filter((e) => e.topic === 'practitioner');
    expect(events.map((e) => e.type).sort()).toEqual([...Array(5).fill('org.passerelle.practitioner.created'), ...Array(5).fill('org.passerelle.practitioner.role-changed')]);
    expect(events.find((e) => e.type.endsWith('role-changed'))?.key).toMatch(/^P30\d$/);
    const again = await call(app.server, 'POST', '/sync/ihris/run');
    expect(again.body.counts).toMatchObject({ received: 0 });
  });

  it('takes the published iHRIS transaction Bundles pushed as they are, with their quirks repaired', async () => {
    const pushed = await call(app.server, 'POST', '/channels/ihris/Bundle', excerpt('bundle-Practitioner.excerpt.json'));
    expect(pushed.body.counts).toMatchObject({ received: 4, created: 4, failed: 0 });
    const p = await call(app.server, 'GET', '/fhir/Practitioner/P10089');
    expect(p.body.qualification[0].code.coding[0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/v2-0360', version: '2.7', code: 'BSN' });
    const roles = await call(app.server, 'POST', '/channels/ihris/Bundle', excerpt('bundle-PractitionerRole.excerpt.json'));
    expect(roles.body.counts).toMatchObject({ received: 3, updated: 3 });
    const same = await call(app.server, 'POST', '/channels/ihris/Bundle', excerpt('bundle-Practitioner.excerpt.json'));
    expect(same.body.counts).toMatchObject({ received: 4, unchanged: 4 });
  });
});
