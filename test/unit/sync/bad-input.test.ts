/**
 * Bad input from the sources: every case ends as a clear failure entry or a handled record, nothing
 * stops the channel, nothing is dropped silently, and a source that is down or slow does not hold
 * the others up.
 */
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import { FakeDhis2, SL, trackedEntityOf } from '../../helpers/fakes/dhis2';
import { FakeOpenmrs, openmrsPatientOf } from '../../helpers/fakes/openmrs';
import { person } from '../../helpers/fakes/people';
import { call, dhis2Env, openmrsEnv } from '../../helpers/sync';

const dhis2 = new FakeDhis2('2.41');
const openmrs = new FakeOpenmrs();
let app: TestApp;

beforeAll(async () => {
  await dhis2.start();
  await openmrs.start();
});
afterAll(async () => {
  await dhis2.close();
  await openmrs.close();
});
beforeEach(async () => {
  dhis2.entities.clear();
  dhis2.http.reset();
  openmrs.fhir.resources.clear();
  openmrs.fhir.http.reset();
  app = await buildTestApp({ ...dhis2Env(dhis2, { DHIS2_MPI_ID_ATTRIBUTE: '' }), ...openmrsEnv(openmrs.url, { OPENMRS_MPI_IDENTIFIER_TYPE: '' }), SYNC_CONCURRENCY: '1' });
});
afterEach(() => app.stop());

const page = (items: unknown[]): string => JSON.stringify({ pager: { page: 1, pageSize: 50 }, trackedEntities: items });

describe('bad input', () => {
  it('takes the good records of a page with missing fields and wrong types, and keeps each bad one with its reason', async () => {
    const good = { ...trackedEntityOf(person(1), { uid: 'Good0000001' }), updatedAt: '2026-02-01T10:00:00.000' };
    const items = [
      good, null, 42, 'text',
      { trackedEntity: 'NoAttrs0001', updatedAt: '2026-02-01T10:00:01.000', attributes: 'not a list' },
      { trackedEntity: 'BadTypes001', updatedAt: '2026-02-01T10:00:02.000', attributes: [{ attribute: SL.birthDate, value: 19900101 }, { attribute: SL.firstName, value: { first: 'x' } }] },
      { updatedAt: '2026-02-01T10:00:03.000', attributes: [] },
    ];
    dhis2.http.inject({ kind: 'status', status: 200, body: page(items) }, { match: (r) => r.path.endsWith('/trackedEntities') });
    const run = await call(app.server, 'POST', '/sync/dhis2/run');
    expect(run.body).toMatchObject({ status: 'succeeded', counts: { received: 7, created: 2, failed: 5 } });
    const failures = (await call(app.server, 'GET', '/sync/failures?channel=dhis2&limit=50')).body;
    expect(failures.items.map((f: { reason: string }) => f.reason).sort()).toEqual([
      '"19900101" is not a date', 'the tracked entity has no UID', 'the tracked entity has no UID', 'the tracked entity has no UID', 'the tracked entity has no UID',
    ]);
    // A record without a UID is keyed by its payload's hash on the DLQ topic; one with a UID by it.
    expect(failures.items.filter((f: { key: string }) => f.key.startsWith('sha256:'))).toHaveLength(4);
  });

  it('reads a page in another shape than the server version suggests', async () => {
    dhis2.put(trackedEntityOf(person(2)));
    const instances = JSON.stringify({ page: 1, pageSize: 50, instances: [...dhis2.entities.values()].map(({ enrollments: _e, ...te }) => te) });
    dhis2.http.inject({ kind: 'status', status: 200, body: instances }, { match: (r) => r.path.endsWith('/trackedEntities') });
    expect((await call(app.server, 'POST', '/sync/dhis2/run')).body).toMatchObject({ status: 'succeeded', counts: { created: 1 } });
  });

  it('records refused credentials and a truncated page as failures of the run, and resolves them once the source answers', async () => {
    dhis2.put(trackedEntityOf(person(3)));
    dhis2.http.inject({ kind: 'status', status: 401 }, { match: (r) => r.path.endsWith('/trackedEntities') });
    expect((await call(app.server, 'POST', '/sync/dhis2/run')).body).toMatchObject({ status: 'failed', error: 'dhis2 refused the credentials (401)' });
    dhis2.http.inject({ kind: 'truncated' }, { times: 3, match: (r) => r.path.endsWith('/trackedEntities') });
    expect((await call(app.server, 'POST', '/sync/dhis2/run')).body.error).toMatch(/not complete JSON/);
    const open = (await call(app.server, 'GET', '/sync/failures?resource_type=page&status=open')).body;
    expect(open.items.map((f: { stage: string }) => f.stage)).toEqual(['receive', 'receive']);
    expect((await call(app.server, 'POST', '/sync/dhis2/run')).body).toMatchObject({ status: 'succeeded', counts: { created: 1 } });
    expect((await call(app.server, 'GET', '/sync/failures?resource_type=page&status=open')).body.total).toBe(0);
  });

  it('registers an OpenMRS patient without names and keeps one with an impossible birth date aside', async () => {
    const nameless = { ...openmrsPatientOf(person(4)) };
    delete nameless.name;
    openmrs.put(nameless, { ...openmrsPatientOf(person(5)), birthDate: '1990-02-31' });
    const run = await call(app.server, 'POST', '/sync/openmrs/run');
    expect(run.body).toMatchObject({ status: 'succeeded', counts: { created: 1, failed: 1 } });
    expect((await call(app.server, 'GET', '/sync/failures?channel=openmrs')).body.items[0]).toMatchObject({ stage: 'mapping', reason: '"1990-02-31" is not a calendar date' });
  });

  it('keeps syncing OpenMRS while DHIS2 hangs, even with one channel at a time', async () => {
    dhis2.put(trackedEntityOf(person(6)));
    openmrs.put(openmrsPatientOf(person(7)));
    dhis2.http.inject({ kind: 'delay', ms: 1500 }, { times: 3, match: (r) => r.path.endsWith('/trackedEntities') });
    const slow = call(app.server, 'POST', '/sync/dhis2/run');
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    expect((await call(app.server, 'POST', '/sync/openmrs/run')).body).toMatchObject({ status: 'succeeded', counts: { created: 1 } });
    expect(Date.now() - started).toBeLessThan(1400);
    expect((await slow).body.status).toBe('succeeded');
  });
});
