/**
 * The envelope of a sync run against each source besides DHIS2 (whose envelope envelope-contract and
 * envelope-upstream show): OpenMRS, iHRIS and the national client registry, each a fake on a real
 * loopback port. Every call the channel made is one orchestration with its timing, the credentials
 * removed, and the records touched are the transaction's properties.
 */
import type { Patient } from 'fhir/r4';
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import { FakeIhris, practitionerOf, roleOf } from '../../helpers/fakes/ihris';
import { FakeNcr } from '../../helpers/fakes/ncr';
import { FakeOpenmrs, openmrsPatientOf } from '../../helpers/fakes/openmrs';
import { person } from '../../helpers/fakes/people';
import { expectEnvelope } from '../../helpers/openhim-envelope';
import type { OpenhimEnvelope as Envelope } from '../../../src/openhim/envelope';
import { ihrisEnv, ncrEnv, openmrsEnv } from '../../helpers/sync';

const TX = { 'x-openhim-transactionid': '6652c7a1f1e2d3c4b5a697aa' };
const openmrs = new FakeOpenmrs();
const ihris = new FakeIhris();
const ncr = new FakeNcr();
let app: TestApp;

beforeAll(async () => {
  await Promise.all([openmrs.start(), ihris.start(), ncr.start()]);
  for (let i = 0; i < 3; i++) {
    openmrs.put(openmrsPatientOf(person(800 + i)));
    ihris.put(practitionerOf(person(850 + i), `P${850 + i}`));
    ihris.put(roleOf(`PR${850 + i}`, `P${850 + i}`, i));
  }
  app = await buildTestApp({ ...openmrsEnv(openmrs.url), ...ihrisEnv(ihris.fhirBase), ...ncrEnv(ncr.fhirBase) });
});
afterAll(async () => {
  await app.stop();
  await Promise.all([openmrs.close(), ihris.close(), ncr.close()]);
});

async function runThroughOpenhim(channel: string): Promise<Envelope> {
  const env = expectEnvelope(await app.server.inject({ method: 'POST', url: `/sync/${channel}/run`, headers: TX }));
  expect(env.status).toBe('Successful');
  for (const o of env.orchestrations) expect(Date.parse(o.response!.timestamp)).toBeGreaterThanOrEqual(Date.parse(o.request.timestamp));
  return env;
}

const upstream = (env: Envelope, prefix: string): Envelope['orchestrations'] => env.orchestrations.filter((o) => o.name.startsWith(prefix));

describe('the envelope of a sync run, for each source', () => {
  it('OpenMRS: the FHIR2 Patient pages and the MPI ID write-backs, the Basic credentials removed', async () => {
    const env = await runThroughOpenhim('openmrs');
    const calls = upstream(env, 'OpenMRS');
    expect(calls.map((o) => o.name)).toEqual(['OpenMRS Patient search', ...Array<string>(3).fill('OpenMRS add patient identifier')]);
    expect(calls[0]!.request).toMatchObject({ host: '127.0.0.1', port: new URL(openmrs.url).port, method: 'GET' });
    expect(calls.slice(1).every((o) => o.request.method === 'POST' && o.response!.status < 300)).toBe(true);
    expect(env.orchestrations.some((o) => o.name === 'Kafka publish passerelle.patient.identity')).toBe(true);
    expect(env.properties['mpi-ids']?.split(',')).toHaveLength(3);
    expect(JSON.stringify(env)).not.toMatch(/Admin123|Basic /);
  });

  it('iHRIS: the Practitioner and PractitionerRole searches', async () => {
    const env = await runThroughOpenhim('ihris');
    const calls = upstream(env, 'iHRIS');
    expect(calls.map((o) => o.name)).toEqual(['iHRIS Practitioner search', 'iHRIS PractitionerRole search']);
    expect(calls.every((o) => o.request.method === 'GET' && o.response!.status === 200)).toBe(true);
    // The practitioner events carry the transaction id too, so their publishes are orchestrations.
    const published = env.orchestrations.filter((o) => o.name === 'Kafka publish passerelle.practitioner.identity');
    expect(published.reduce((n, o) => n + (JSON.parse(o.request.body) as { messages: number }).messages, 0)).toBe(6);
  });

  it('national registry: one conditional update per golden record sent, with the client id', async () => {
    const patient: Patient = { resourceType: 'Patient', identifier: [{ system: 'urn:clinic', value: 'C-9' }], name: [{ family: 'Ndiaye', given: ['Awa'] }], gender: 'female', birthDate: '1990-04-02' };
    await app.registry.service.registerSource({ patient, sourceSystem: 'clinic', actor: { clientId: 'test' } });
    const env = await runThroughOpenhim('ncr');
    // The OpenMRS run's three golden records and this one: one conditional update each.
    const puts = upstream(env, 'National registry');
    expect(puts.map((o) => o.name)).toEqual(Array<string>(4).fill('National registry Patient update'));
    for (const o of puts) {
      expect(o.request).toMatchObject({ method: 'PUT', path: '/fhir/Patient', host: '127.0.0.1', port: new URL(ncr.fhirBase).port });
      expect(o.request.querystring).toMatch(/^identifier=urn%3Apasserelle%3Ampi-id%7C/);
      expect(o.response!.status).toBeLessThan(300);
    }
    expect(env.properties['mpi-ids']?.split(',')).toHaveLength(4);
  });
});
