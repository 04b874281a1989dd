import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import { FakeDhis2, SL, trackedEntityOf } from '../../helpers/fakes/dhis2';
import { person, variant } from '../../helpers/fakes/people';
import { call, dhis2Env } from '../../helpers/sync';

const fake = new FakeDhis2('2.41');
let app: TestApp;

beforeAll(() => fake.start());
afterAll(() => fake.close());
beforeEach(async () => {
  fake.entities.clear();
  fake.imports.length = 0;
  fake.http.reset();
  app = await buildTestApp(dhis2Env(fake));
});
afterEach(() => app.stop());

describe('a DHIS2 sync through the app', () => {
  it('registers every tracked entity, writes the MPI IDs back and says so in /sync/status', async () => {
    for (let i = 0; i < 120; i++) fake.put(trackedEntityOf(person(i)));
    const run = await call(app.server, 'POST', '/sync/dhis2/run');
    expect(run.status).toBe(200);
    // The write-back moves each entity's updatedAt, so the run meets each again once, unchanged.
    expect(run.body).toMatchObject({ status: 'succeeded', caught_up: true, counts: { received: 240, created: 120, unchanged: 120, failed: 0, written_back: 120 } });
    expect(fake.attribute(fake.entities.keys().next().value as string, SL.mpiId)).toMatch(/^SN-DKR-\d{2}-/);
    const status = await call(app.server, 'GET', '/sync/status');
    const dhis2 = status.body.channels.find((c: { channel: string }) => c.channel === 'dhis2');
    expect(dhis2).toMatchObject({ enabled: true, running: false, open_failures: 0, last_run: { status: 'succeeded', counts: { created: 120 } }, lag_seconds: expect.any(Number) });
    expect(dhis2.cursors).toEqual([{ scope: `trackedEntityType=${SL.person};orgUnit=*`, position: expect.objectContaining({ updatedAfter: expect.any(String) }), updated_at: expect.any(String) }]);
    expect(status.body.channels.find((c: { channel: string }) => c.channel === 'openmrs')).toMatchObject({ enabled: false, last_run: null });
  });

  it('changes nothing and emits nothing when the same entities come again (after the write-back)', async () => {
    for (let i = 0; i < 10; i++) fake.put(trackedEntityOf(person(i)));
    await call(app.server, 'POST', '/sync/dhis2/run');
    await app.relay.flush();
    const events = app.published.length;
    const second = await call(app.server, 'POST', '/sync/dhis2/run');
    // The write-back moved updatedAt: the entities come back once, unchanged, and are not written again.
    expect(second.body.counts).toMatchObject({ received: 10, unchanged: 10, written_back: 0 });
    const third = await call(app.server, 'POST', '/sync/dhis2/run');
    expect(third.body.counts).toMatchObject({ received: 0 });
    await app.relay.flush();
    expect(app.published).toHaveLength(events);
  });

  it('links the same person from two org units, deactivates a deletion, and puts bad records in the failures', async () => {
    const p = person(3);
    fake.put(trackedEntityOf(p, { uid: 'Aaaaaaaaaa1' }), trackedEntityOf(variant(p, 2), { uid: 'Bbbbbbbbbb2', orgUnit: 'OrgUnitB001' }));
    fake.put({ ...trackedEntityOf(person(4), { uid: 'Cccccccccc3' }), attributes: [{ attribute: SL.birthDate, value: '1990-13-45' }] });
    await call(app.server, 'POST', '/sync/dhis2/run');
    const a = await app.registry.service.getSource('urn:passerelle:dhis2:tracked-entity|Aaaaaaaaaa1');
    const b = await app.registry.service.getSource('urn:passerelle:dhis2:tracked-entity|Bbbbbbbbbb2');
    expect(b?.goldenId).toBe(a?.goldenId);
    fake.remove('Aaaaaaaaaa1');
    const run = await call(app.server, 'POST', '/sync/dhis2/run');
    expect(run.body.counts).toMatchObject({ deactivated: 1 });
    expect((await app.registry.service.getSource('urn:passerelle:dhis2:tracked-entity|Aaaaaaaaaa1'))?.active).toBe(false);
    const failures = await call(app.server, 'GET', '/sync/failures?channel=dhis2&resource_type=trackedEntity&resource_id=Cccccccccc3');
    expect(failures.body).toMatchObject({ total: 1, items: [{ stage: 'mapping', reason: '"1990-13-45" is not a calendar date', resource_id: 'Cccccccccc3', status: 'open', mapping: 'dhis2-tracked-entity' }] });
    expect(failures.body.items[0].payload).toBeUndefined();
    const one = await call(app.server, 'GET', `/sync/failures/${failures.body.items[0].id as string}`);
    expect(one.body.payload).toMatchObject({ trackedEntity: 'Cccccccccc3' });
  });

  it('records a page DHIS2 answers with an HTML page, keeps the cursor, and succeeds on the next run', async () => {
    for (let i = 0; i < 60; i++) fake.put(trackedEntityOf(person(i)));
    fake.http.inject({ kind: 'html200' }, { times: 3, match: (r) => r.query.get('page') === '1' && r.query.has('updatedAfter') });
    const failed = await call(app.server, 'POST', '/sync/dhis2/run');
    expect(failed.body).toMatchObject({ status: 'failed', error: 'dhis2 answered with an HTML page instead of JSON (status 200)', counts: { created: 50 } });
    const failures = await call(app.server, 'GET', '/sync/failures?resource_type=page');
    expect(failures.body.items[0]).toMatchObject({ stage: 'receive', status: 'open', reason: expect.stringContaining('HTML page') });
    const ok = await call(app.server, 'POST', '/sync/dhis2/run');
    expect(ok.body).toMatchObject({ status: 'succeeded', counts: { created: 10 } });
    expect((await call(app.server, 'GET', '/sync/failures?resource_type=page&status=open')).body.total).toBe(0);
  });

  it('takes a pushed entity through the same path; refuses a wrong content type and keeps it', async () => {
    const te = { ...trackedEntityOf(person(7), { uid: 'Pushed00001' }), updatedAt: '2026-03-01T10:00:00.000' };
    const ok = await call(app.server, 'POST', '/channels/dhis2/trackedEntities', te);
    expect(ok.status).toBe(200);
    expect(ok.body.outcomes).toEqual([expect.objectContaining({ resource_id: 'Pushed00001', status: 'created', mpi_id: expect.any(String) })]);
    const wrong = await call(app.server, 'POST', '/channels/dhis2/trackedEntities', JSON.stringify(te), { 'content-type': 'text/plain' });
    expect(wrong.status).toBe(415);
    expect(wrong.headers['content-type']).toMatch(/problem\+json/);
    const kept = await call(app.server, 'GET', '/sync/failures?channel=dhis2&resource_type=trackedEntities');
    expect(kept.body.items[0]).toMatchObject({ stage: 'receive', reason: 'a dhis2 push must be application/json or application/fhir+json, not text/plain' });
    const broken = await call(app.server, 'POST', '/channels/dhis2/trackedEntities', '{"trackedEntity": "abc', { 'content-type': 'application/json' });
    expect(broken.status).toBe(400);
    const bad = await call(app.server, 'POST', '/channels/dhis2/trackedEntities', { ...te, trackedEntity: 'not a uid' });
    expect(bad.status).toBe(422);
    expect(bad.body.counts).toMatchObject({ received: 1, failed: 1 });
  });

  it('re-drives a failure after a fix, alone or in bulk', async () => {
    fake.put({ ...trackedEntityOf(person(8), { uid: 'Dddddddddd4' }), attributes: [{ attribute: SL.firstName, value: 'Awa' }, { attribute: SL.birthDate, value: '1990-02-30' }] });
    await call(app.server, 'POST', '/sync/dhis2/run');
    const [failure] = (await call(app.server, 'GET', '/sync/failures?resource_id=Dddddddddd4')).body.items;
    const still = await call(app.server, 'POST', `/sync/failures/${failure.id as string}/retry`);
    const key = 'urn:passerelle:dhis2:tracked-entity|Dddddddddd4';
    expect(still.body.results).toEqual([{ id: failure.id, status: 'failed', reason: '"1990-02-30" is not a calendar date', source_id: key }]);
    expect((await call(app.server, 'GET', `/sync/failures/${failure.id as string}`)).body).toMatchObject({ retries: 1, status: 'open' });
    // The fix: the birth-date attribute is not read any more.
    expect(await app.live.applyOverrides({ dhis2BirthDateAttributes: ['gHGyrwKPzej'] }, 'test')).toMatchObject({ ok: true });
    const fixed = await call(app.server, 'POST', '/sync/failures/retry', { channel: 'dhis2' });
    const source = await app.registry.service.getSource(key);
    expect(fixed.body.results).toEqual([{ id: failure.id, status: 'resolved', source_id: key, mpi_id: source?.goldenId }]);
  });

  it('publishes dead letters on the DLQ topic with the record key', async () => {
    fake.put({ ...trackedEntityOf(person(9), { uid: 'Eeeeeeeeee5' }), attributes: [{ attribute: SL.birthDate, value: 'soon' }] });
    await call(app.server, 'POST', '/sync/dhis2/run');
    await app.relay.flush();
    const dlq = app.published.filter((e) => e.topic === 'dlq');
    expect(dlq).toEqual([expect.objectContaining({ key: 'urn:passerelle:dhis2:tracked-entity|Eeeeeeeeee5', type: 'org.passerelle.ingest.failed', payload: expect.objectContaining({ stage: 'mapping', resourceId: 'Eeeeeeeeee5' }) })]);
  });
});
