/**
 * The national registry channel on the real stack: golden records formed from a DHIS2 sync are sent
 * to the registry and the registry's own id of each person lands in the cross-reference.
 */
import { FakeDhis2, trackedEntityOf } from '../../helpers/fakes/dhis2';
import { FakeNcr } from '../../helpers/fakes/ncr';
import { person } from '../../helpers/fakes/people';
import { buildStackApp } from '../../helpers/stack-app';
import type { StackApp } from '../../helpers/stack-app';
import { call, dhis2Env, ncrEnv } from '../../helpers/sync';

jest.setTimeout(120_000);
const dhis2 = new FakeDhis2('2.42');
const ncr = new FakeNcr();
let s: StackApp;

beforeAll(async () => {
  await dhis2.start();
  await ncr.start();
  for (let i = 0; i < 15; i++) dhis2.put(trackedEntityOf(person(400 + i)));
  s = await buildStackApp({ ...dhis2Env(dhis2, { DHIS2_MPI_ID_ATTRIBUTE: '' }), ...ncrEnv(ncr.fhirBase) });
});
afterAll(async () => {
  await s.close();
  await dhis2.close();
  await ncr.close();
});

test('golden records reach the national registry and its ids are cross-referenced', async () => {
  expect((await call(s.app.server, 'POST', '/sync/dhis2/run')).body.counts).toMatchObject({ created: 15 });
  const run = await call(s.app.server, 'POST', '/sync/ncr/run');
  expect(run.body).toMatchObject({ status: 'succeeded', counts: { created: 15, written_back: 15, failed: 0 } });
  for (const [id, record] of ncr.records) {
    const mpiId = record.identifier?.find((i) => i.system === 'urn:passerelle:mpi-id')?.value ?? '';
    const golden = await s.app.registry.service.resolveIdentifier({ system: 'urn:passerelle:ncr:patient', value: ncr.goldenOf.get(id) ?? '' });
    expect(golden?.mpiId).toBe(mpiId);
  }
  const again = await call(s.app.server, 'POST', '/sync/ncr/run');
  expect(again.body.counts).toMatchObject({ created: 0, updated: 0, failed: 0 });
  const status = await call(s.app.server, 'GET', '/sync/status');
  expect(status.body.channels.find((c: { channel: string }) => c.channel === 'ncr')).toMatchObject({ enabled: true, last_run: { status: 'succeeded' }, cursors: [expect.objectContaining({ scope: 'golden-records' })] });
});
