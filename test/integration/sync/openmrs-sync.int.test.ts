/**
 * The OpenMRS channel on the real stack: patients polled from FHIR2 are registered, the MPI ID is
 * written back as a patient identifier, and the same people synced from DHIS2 link to the same
 * golden records, so PIXm resolves a DHIS2 UID to the patient's OpenMRS identifier.
 */
import { FakeDhis2, trackedEntityOf } from '../../helpers/fakes/dhis2';
import { FakeOpenmrs, MPI_ID_TYPE, OPENMRS_ID_TYPE, openmrsPatientOf } from '../../helpers/fakes/openmrs';
import { person, variant } from '../../helpers/fakes/people';
import { buildStackApp } from '../../helpers/stack-app';
import type { StackApp } from '../../helpers/stack-app';
import { call, dhis2Env, openmrsEnv } from '../../helpers/sync';

jest.setTimeout(120_000);
const openmrs = new FakeOpenmrs();
const dhis2 = new FakeDhis2('2.41');
let s: StackApp;

beforeAll(async () => {
  await openmrs.start();
  await dhis2.start();
  for (let i = 0; i < 12; i++) {
    openmrs.put(openmrsPatientOf(person(200 + i)));
    dhis2.put(trackedEntityOf(variant(person(200 + i), 1)));
  }
  s = await buildStackApp({ ...openmrsEnv(openmrs.url), ...dhis2Env(dhis2, { DHIS2_MPI_ID_ATTRIBUTE: '' }) });
});
afterAll(async () => {
  await s.close();
  await openmrs.close();
  await dhis2.close();
});

describe('OpenMRS sync on the real stack', () => {
  it('registers the patients and writes each MPI ID back as an identifier of the configured type', async () => {
    const run = await call(s.app.server, 'POST', '/sync/openmrs/run');
    expect(run.body).toMatchObject({ status: 'succeeded', counts: { created: 12, failed: 0, written_back: 12 } });
    for (const [uuid] of openmrs.fhir.resources.get('Patient') ?? []) {
      const source = await s.app.registry.service.getSource(`urn:passerelle:openmrs:patient|${uuid}`);
      expect(openmrs.identifier(uuid, MPI_ID_TYPE)).toBe(source?.goldenId);
    }
    const again = await call(s.app.server, 'POST', '/sync/openmrs/run');
    expect(again.body.counts).toMatchObject({ received: 12, unchanged: 12, written_back: 0 });
  });

  it('links the DHIS2 records of the same people, and PIXm resolves a DHIS2 UID to its OpenMRS identifier', async () => {
    const run = await call(s.app.server, 'POST', '/sync/dhis2/run');
    expect(run.body).toMatchObject({ status: 'succeeded', counts: { received: 12, failed: 0 } });
    expect(run.body.counts.linked).toBeGreaterThanOrEqual(10);
    const uid = [...dhis2.entities.keys()][0] ?? '';
    const openmrsId = openmrs.identifier(openmrsPatientOf(person(200)).id ?? '', OPENMRS_ID_TYPE);
    const system = `urn:passerelle:openmrs:patient/identifier-type/${OPENMRS_ID_TYPE}`;
    const pix = await call(s.app.server, 'GET', `/fhir/Patient/$ihe-pix?sourceIdentifier=${encodeURIComponent(`urn:passerelle:dhis2:tracked-entity|${uid}`)}&targetSystem=${encodeURIComponent(system)}`);
    expect(pix.status).toBe(200);
    expect(JSON.stringify(pix.body)).toContain(`"value":"${openmrsId ?? 'none'}"`);
  });
});
