/**
 * The channels follow OpenHIM's console without a restart (issue 15, live configuration): a config
 * Core hands over on a heartbeat moves the DHIS2 channel to another server and to another poll
 * interval, and the scheduled runs that follow go there, at the new pace; a config Passerelle refuses
 * leaves the channel where it was.
 */
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import { FakeDhis2, trackedEntityOf } from '../../helpers/fakes/dhis2';
import { person } from '../../helpers/fakes/people';
import { FakeOpenhimCore } from '../../helpers/fake-openhim-core';
import { eventually } from '../../helpers/stack-app';
import { dhis2Env } from '../../helpers/sync';

const URN = 'urn:mediator:passerelle-mpi';
const EXPORTS = '/api/tracker/trackedEntities';

describe('channels under live configuration from OpenHIM', () => {
  let core: FakeOpenhimCore;
  let app: TestApp;
  const before = new FakeDhis2('2.42');
  const after = new FakeDhis2('2.41');

  beforeAll(async () => {
    await Promise.all([before.start(), after.start()]);
    before.put(trackedEntityOf(person(1), { uid: 'Beforeliv01' }));
    after.put(trackedEntityOf(person(2), { uid: 'Afterlive01' }), trackedEntityOf(person(3), { uid: 'Afterlive02' }));
  });
  afterAll(() => Promise.all([before.close(), after.close()]));
  beforeEach(async () => {
    core = await new FakeOpenhimCore().start();
    before.http.reset();
    after.http.reset();
    app = await buildTestApp({
      ...dhis2Env(before, { DHIS2_MPI_ID_ATTRIBUTE: '', DHIS2_POLL_INTERVAL_SECONDS: '3600' }),
      OPENHIM_REGISTER: 'true', OPENHIM_API_URL: core.url, OPENHIM_USERNAME: 'root@openhim.org', OPENHIM_PASSWORD: 'openhim-password', OPENHIM_HEARTBEAT_MS: '100',
    }, { openhimBackoff: { initialBackoffMs: 20, maxBackoffMs: 100 } });
    await eventually(async () => app.openhim?.state === 'registered');
  });
  afterEach(async () => {
    await app.stop();
    await core.stop();
  });

  const nextRunIn = async (): Promise<number> => {
    const dhis2 = (await app.sync.manager.status()).find((c) => c.channel === 'dhis2');
    return Date.parse(dhis2?.nextRunAt ?? '') - Date.now();
  };

  it('moves the DHIS2 channel to a new URL and interval on the next heartbeat, and polls there', async () => {
    expect(await nextRunIn()).toBeGreaterThan(3_000_000);
    const edit = core.consoleEdit(URN, { ...core.configOf(URN), dhis2BaseUrl: after.url, dhis2PollIntervalSeconds: 5 });
    expect(edit.status).toBe(200);
    await eventually(async () => app.live.current.dhis2BaseUrl === after.url, 5000);
    // The timer follows the new interval at once, without a restart.
    expect(await nextRunIn()).toBeLessThanOrEqual(5000);
    await eventually(async () => (await app.registry.service.getSource('urn:passerelle:dhis2:tracked-entity|Afterlive02')) !== null, 15_000);
    expect(after.http.requests.some((r) => r.path === EXPORTS)).toBe(true);
    expect(before.http.requests.filter((r) => r.path === EXPORTS)).toEqual([]);
    expect(await app.registry.service.getSource('urn:passerelle:dhis2:tracked-entity|Beforeliv01')).toBeNull();
    // The next run is scheduled at the new pace, from the end of the last one.
    expect(await nextRunIn()).toBeLessThanOrEqual(5000);
  }, 30_000);

  it('keeps the channel where it was when Passerelle refuses the change', async () => {
    core.consoleEdit(URN, { ...core.configOf(URN), dhis2BaseUrl: 'ftp://dhis2.example.org', dhis2PollIntervalSeconds: 5 });
    await eventually(async () => app.logLines.some((l) => l.includes('live settings refused')), 5000);
    expect(app.live.current.dhis2BaseUrl).toBe(before.url);
    expect(await nextRunIn()).toBeGreaterThan(3_000_000);
    const run = await app.server.inject({ method: 'POST', url: '/sync/dhis2/run' });
    expect(JSON.parse(run.payload)).toMatchObject({ status: 'succeeded', counts: { created: 1 } });
    expect(after.http.requests).toEqual([]);
  });
});
