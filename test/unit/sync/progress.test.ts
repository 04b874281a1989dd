/**
 * A long run reports its progress while it runs: in `GET /sync/status` (records, expected, rate,
 * time left) and in the logs (the first page, then a line every few seconds).
 */
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import { FakeDhis2, trackedEntityOf } from '../../helpers/fakes/dhis2';
import { person } from '../../helpers/fakes/people';
import { eventually } from '../../helpers/stack-app';
import { call, dhis2Env } from '../../helpers/sync';

const fake = new FakeDhis2('2.42');
let app: TestApp;
let release: () => void = () => undefined;

beforeAll(async () => {
  await fake.start();
  for (let i = 0; i < 30; i++) fake.put(trackedEntityOf(person(900 + i)));
  app = await buildTestApp(dhis2Env(fake, { DHIS2_PAGE_SIZE: '10', DHIS2_MPI_ID_ATTRIBUTE: '' }));
});
afterAll(async () => {
  release();
  await app.stop();
  await fake.close();
});

it('shows a run in progress in /sync/status and in the logs', async () => {
  const held = new Promise<void>((r) => (release = r));
  // The second page waits until the test has looked at the run.
  fake.onExport(async (served) => {
    if (served === 2) await held;
  });
  const started = await call(app.server, 'POST', '/sync/dhis2/run?wait=false');
  expect(started.status).toBe(202);
  await eventually(async () => (await call(app.server, 'GET', '/sync/status')).body.channels[0].progress !== undefined, 5000);
  const dhis2 = (await call(app.server, 'GET', '/sync/status')).body.channels[0];
  expect(dhis2).toMatchObject({ channel: 'dhis2', running: true, last_run: { run_id: started.body.run_id, status: 'running' }, progress: { records: 10, expected: 30, rate_per_second: expect.any(Number), eta_seconds: expect.any(Number) } });
  const logged = app.logLines.map((l) => JSON.parse(l) as { msg: string; records?: number; expected?: number; runId?: string }).find((l) => l.msg === 'sync progress');
  expect(logged).toMatchObject({ runId: started.body.run_id, records: 10, expected: 30 });
  release();
  await eventually(async () => (await call(app.server, 'GET', '/sync/status')).body.channels[0].running === false, 5000);
  expect((await call(app.server, 'GET', '/sync/status')).body.channels[0]).toMatchObject({ last_run: { status: 'succeeded', counts: { created: 30 } } });
  expect((await call(app.server, 'GET', '/sync/status')).body.channels[0].progress).toBeUndefined();
});
