/**
 * The sync requests as an operator or OpenHIM sends them: `POST /sync/{channel}/run` with no body in
 * any of the forms clients send (an OpenHIM polling channel, curl), and the audit record each sync
 * request leaves — the MPI IDs and source records it touched, which are also the searchable
 * properties of its OpenHIM transaction.
 */
import type { AuditRecord } from '../../../src/audit/ports';
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import { FakeDhis2, SL, trackedEntityOf } from '../../helpers/fakes/dhis2';
import { person } from '../../helpers/fakes/people';
import { expectEnvelope } from '../../helpers/openhim-envelope';
import { call, dhis2Env } from '../../helpers/sync';

const fake = new FakeDhis2('2.42');
const DHIS2 = 'urn:passerelle:dhis2:tracked-entity';
let app: TestApp;

beforeAll(() => fake.start());
afterAll(() => fake.close());
beforeEach(async () => {
  fake.entities.clear();
  fake.http.reset();
  for (let i = 0; i < 3; i++) fake.put(trackedEntityOf(person(i), { uid: `Runaudit00${i}` }));
  app = await buildTestApp(dhis2Env(fake, { DHIS2_MPI_ID_ATTRIBUTE: '' }));
});
afterEach(() => app.stop());

async function auditOf(operation: string): Promise<AuditRecord[]> {
  expect(await app.audit.writer.flush()).toBe(true);
  return (await app.audit.store.search({ offset: 0, count: 50 })).items.filter((r) => r.operation === operation);
}

describe('POST /sync/{channel}/run', () => {
  it.each([
    ['no body and no content type', undefined, {}],
    ['an empty JSON body', '', { 'content-type': 'application/json' }],
    ['an empty text body', '', { 'content-type': 'text/plain' }],
    ['an empty form (curl -d \'\')', '', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['{}', '{}', { 'content-type': 'application/json' }],
    ['null', 'null', { 'content-type': 'application/json' }],
  ])('runs with %s', async (_label, payload, headers) => {
    const res = await app.server.inject({ method: 'POST', url: '/sync/dhis2/run', ...(payload !== undefined ? { payload } : {}), headers });
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.payload)).toMatchObject({ status: 'succeeded' });
  });

  it('refuses a body with something in it, saying where options go, and runs nothing', async () => {
    const res = await call(app.server, 'POST', '/sync/dhis2/run', { wait: false });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.detail).toContain('takes no body');
    expect(fake.http.requests).toHaveLength(0);
  });

  it('leaves an audit record with the MPI IDs and source records the run touched', async () => {
    const run = await call(app.server, 'POST', '/sync/dhis2/run');
    const [record] = await auditOf('sync.run');
    const mpiIds = await Promise.all([0, 1, 2].map(async (i) => (await app.registry.service.getSource(`${DHIS2}|Runaudit00${i}`))?.goldenId));
    expect(record).toMatchObject({ action: 'E', outcome: '0', route: '/sync/{channel}/run', detail: { runId: run.body.run_id, channel: 'dhis2', status: 'succeeded', received: 3, created: 3 } });
    expect([...record!.mpiIds].sort()).toEqual([...mpiIds].sort());
    expect([...record!.sourceIds].sort()).toEqual([0, 1, 2].map((i) => `${DHIS2}|Runaudit00${i}`));
    // The audit trail's entity search finds the run by any of them.
    expect((await app.audit.store.search({ entity: `${DHIS2}|Runaudit001`, offset: 0, count: 5 })).items.map((r) => r.operation)).toContain('sync.run');
  });

  it('gives the OpenHIM transaction the same ids as searchable properties', async () => {
    const env = expectEnvelope(await app.server.inject({ method: 'POST', url: '/sync/dhis2/run', headers: { 'x-openhim-transactionid': '6652c7a1f1e2d3c4b5a69700' } }));
    expect(env.properties).toMatchObject({ operation: 'sync.run', 'mpi-id': expect.stringMatching(/^SN-DKR-/), 'source-id': expect.stringContaining(`${DHIS2}|Runaudit00`) });
    expect(env.properties['source-ids']?.split(',')).toHaveLength(3);
    const [record] = await auditOf('sync.run');
    expect(record?.agent.transactionId).toBe('6652c7a1f1e2d3c4b5a69700');
  });

  it('records the run id alone when it answers at once (wait=false)', async () => {
    const res = await call(app.server, 'POST', '/sync/dhis2/run?wait=false');
    expect(res.status).toBe(202);
    await app.sync.manager.stop();
    const [record] = await auditOf('sync.run');
    expect(record).toMatchObject({ mpiIds: [], sourceIds: [], detail: { runId: res.body.run_id, channel: 'dhis2' } });
  });
});

describe('the other sync requests in the audit trail', () => {
  it('a push names the records it took in and the golden records they stand in', async () => {
    const te = { ...trackedEntityOf(person(7), { uid: 'Pushaudit01' }), updatedAt: '2026-01-05T08:00:00.000', createdAt: '2026-01-05T08:00:00.000' };
    const res = await call(app.server, 'POST', '/channels/dhis2/trackedEntities', { trackedEntities: [te] });
    expect(res.status).toBe(200);
    const [record] = await auditOf('channels.push');
    expect(record).toMatchObject({ sourceIds: [`${DHIS2}|Pushaudit01`], mpiIds: [res.body.outcomes[0].mpi_id], detail: { channel: 'dhis2', received: 1 } });
  });

  it('reading a failure, and re-driving it, name its source record', async () => {
    fake.put({ ...trackedEntityOf(person(8), { uid: 'Failaudit01' }), attributes: [{ attribute: SL.birthDate, value: '1990-13-45' }] });
    await call(app.server, 'POST', '/sync/dhis2/run');
    const { body } = await call(app.server, 'GET', '/sync/failures?channel=dhis2');
    const id = body.items[0].id as string;
    await call(app.server, 'GET', `/sync/failures/${id}`);
    const retried = await app.server.inject({ method: 'POST', url: `/sync/failures/${id}/retry`, payload: '', headers: { 'content-type': 'text/plain' } });
    expect(JSON.parse(retried.payload)).toMatchObject({ results: [{ id, status: 'failed', source_id: `${DHIS2}|Failaudit01` }] });
    expect((await auditOf('sync.failures.read'))[0]).toMatchObject({ sourceIds: [`${DHIS2}|Failaudit01`], detail: { failureId: id } });
    expect((await auditOf('sync.failures.retry'))[0]).toMatchObject({ sourceIds: [`${DHIS2}|Failaudit01`] });
  });
});
