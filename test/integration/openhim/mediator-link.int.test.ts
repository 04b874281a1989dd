/**
 * Passerelle and a fake OpenHIM Core on a real loopback port (openhim.md §4, §8, §10): Core starting
 * late, re-registration after a 404, heartbeats that fail without harm, the configuration errors that
 * stop start-up, TLS trust, live configuration (applied, refused) and two replicas under one URN.
 */
import { join } from 'node:path';
import type { Patient } from 'fhir/r4';
import { version } from '../../../package.json';
import type { LiveSettings } from '../../../src/config/live';
import { CoreApi } from '../../../src/openhim/core-api';
import { MEDIATOR_CONFIG } from '../../../src/openhim/mediator-config';
import { MediatorLink, OpenhimSetupError } from '../../../src/openhim/mediator-link';
import { buildTestApp } from '../../helpers/app';
import { memoryLogger } from '../../helpers/silent-logger';
import type { TestApp } from '../../helpers/app';
import { FakeOpenhimCore, freePort } from '../../helpers/fake-openhim-core';
import { eventually } from '../../helpers/stack-app';

const URN = 'urn:mediator:passerelle-mpi';
const CA_FILE = join(__dirname, '..', '..', 'fixtures', 'openhim-tls', 'ca.pem');

interface Started {
  app: TestApp;
  fatal: Error[];
}

async function appAgainst(apiUrl: string, env: Record<string, string> = {}): Promise<Started> {
  const fatal: Error[] = [];
  const app = await buildTestApp({
    OPENHIM_REGISTER: 'true', OPENHIM_API_URL: apiUrl, OPENHIM_USERNAME: 'root@openhim.org', OPENHIM_PASSWORD: 'openhim-password',
    OPENHIM_HEARTBEAT_MS: '100', OPENHIM_CONFIG_POLL_MS: '60000', ...env,
  }, { openhimBackoff: { initialBackoffMs: 20, maxBackoffMs: 100 }, onFatal: (err) => fatal.push(err) });
  return { app, fatal };
}

const messages = (app: TestApp): string[] => app.logLines.map((l) => (JSON.parse(l) as { msg: string }).msg);

describe('registration with OpenHIM Core', () => {
  const cores: FakeOpenhimCore[] = [];
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.stop()));
    await Promise.all(cores.splice(0).map((c) => c.stop()));
  });

  it('waits for a Core that starts late, serving meanwhile, then registers, fetches config and heartbeats', async () => {
    const port = await freePort();
    const { app, fatal } = await appAgainst(`http://127.0.0.1:${port}`);
    apps.push(app);
    await eventually(async () => messages(app).filter((m) => m === 'OpenHIM Core: not reachable yet; retrying').length >= 3, 5000);
    expect((await app.server.inject('/health')).statusCode).toBe(200);
    expect(app.openhim?.state).toBe('waiting-for-core');
    const core = await new FakeOpenhimCore({ port }).start();
    cores.push(core);
    await eventually(async () => core.heartbeats(URN).length >= 3, 5000);
    expect(core.mediators.get(URN)?.doc.version).toBe(version);
    expect(core.heartbeats(URN)[0]!.body).toMatchObject({ config: true });
    expect(fatal).toEqual([]);
    expect(messages(app)).toEqual(expect.arrayContaining(['OpenHIM Core: connecting', 'registered with OpenHIM Core']));
    expect(messages(app).some((m) => /^OpenHIM Core: reachable after \d+ attempts$/.test(m))).toBe(true);
  });

  it.each([
    ['answers 500', 500],
    ['answers 503', 503],
    ['drops the connection (a network error)', 'reset'],
  ] as const)('retries a registration while Core %s, then registers', async (_what, failure) => {
    const core = await new FakeOpenhimCore().start();
    cores.push(core);
    core.failNext(2, failure, 'POST /mediators');
    const { app, fatal } = await appAgainst(core.url);
    apps.push(app);
    await eventually(async () => core.heartbeats(URN).length >= 1, 5000);
    const registrations = core.calls.filter((c) => c.method === 'POST' && c.path === '/mediators');
    const failed = failure === 'reset' ? -1 : failure;
    expect(registrations.map((c) => c.status)).toEqual([failed, failed, 201]);
    expect(messages(app)).toContain('OpenHIM Core: registered after 3 attempts');
    expect(fatal).toEqual([]);
  });

  it('registers again when Core comes back with an empty database after being down', async () => {
    const port = await freePort();
    const first = await new FakeOpenhimCore({ port }).start();
    const { app, fatal } = await appAgainst(first.url);
    apps.push(app);
    await eventually(async () => first.heartbeats(URN).length >= 2);
    await first.stop();
    await eventually(async () => messages(app).includes('OpenHIM Core: heartbeat failed'), 5000);
    const second = await new FakeOpenhimCore({ port }).start();
    cores.push(second);
    await eventually(async () => second.mediators.has(URN) && second.heartbeats(URN).some((c) => c.status === 200), 5000);
    expect(second.mediators.get(URN)?.doc.version).toBe(version);
    expect(fatal).toEqual([]);
    expect((await app.server.inject('/health')).statusCode).toBe(200);
  });

  it('never sends a credential from the environment to Core', async () => {
    const core = await new FakeOpenhimCore().start();
    cores.push(core);
    const { app } = await appAgainst(core.url, { DHIS2_PASSWORD: 'env-only-secret', DHIS2_BASE_URL: 'https://dhis2.example.org' });
    apps.push(app);
    await eventually(async () => core.mediators.has(URN));
    expect(core.configOf(URN)).toMatchObject({ dhis2Password: '', dhis2BaseUrl: 'https://dhis2.example.org' });
    expect(JSON.stringify(core.calls)).not.toContain('env-only-secret');
    // Core's empty password leaves the environment's in force.
    await eventually(async () => core.heartbeats(URN).length >= 2);
    expect(app.live.current.dhis2Password).toBe('env-only-secret');
  });

  it('registers again when a heartbeat answers 404 (the mediator was deleted in the console)', async () => {
    const core = await new FakeOpenhimCore().start();
    cores.push(core);
    const { app } = await appAgainst(core.url);
    apps.push(app);
    await eventually(async () => core.heartbeats(URN).length >= 2);
    core.deleteMediator(URN);
    await eventually(async () => core.mediators.has(URN) && core.heartbeats(URN).some((c) => c.status === 404));
    expect(messages(app)).toContain('OpenHIM Core no longer knows this mediator; registering again');
    await eventually(async () => core.heartbeats(URN).at(-1)!.status === 200);
  });

  it('lives through failing heartbeats, logging the first and the recovery', async () => {
    const core = await new FakeOpenhimCore().start();
    cores.push(core);
    const { app, fatal } = await appAgainst(core.url);
    apps.push(app);
    await eventually(async () => core.heartbeats(URN).length >= 1);
    core.failNext(4, 503);
    await eventually(async () => messages(app).includes('OpenHIM Core: heartbeats answered again'), 5000);
    expect(messages(app).filter((m) => m === 'OpenHIM Core: heartbeat failed')).toHaveLength(1);
    expect(fatal).toEqual([]);
    expect((await app.server.inject('/health')).statusCode).toBe(200);
  });

  it.each([
    ['a wrong password (401)', { OPENHIM_PASSWORD: 'wrong' }, undefined, /OPENHIM_USERNAME and OPENHIM_PASSWORD/],
    ['a user outside the admin group (403)', { OPENHIM_USERNAME: 'clerk@moh.example.org', OPENHIM_PASSWORD: 'pw' }, { 'clerk@moh.example.org': { password: 'pw', groups: ['clerks'] } }, /admin group/],
  ])('stops start-up on %s with a message naming the setting to fix', async (_what, env, users, message) => {
    const core = await new FakeOpenhimCore(users ? { users: { ...users } } : {}).start();
    cores.push(core);
    const { app, fatal } = await appAgainst(core.url, env);
    apps.push(app);
    await eventually(async () => fatal.length === 1);
    expect(fatal[0]!.message).toMatch(message);
    expect(app.openhim?.state).toBe('failed');
    expect(core.calls.filter((c) => c.path === '/mediators')).toHaveLength(1);
  });

  it('stops start-up when Core rejects the registration (400), naming mediator-config.json and the version', async () => {
    const core = await new FakeOpenhimCore().start();
    cores.push(core);
    const broken = { ...MEDIATOR_CONFIG, configDefs: [{ param: 'mode', displayName: 'Mode', type: 'option' as const, values: [] }] };
    const link = new MediatorLink({ api: new CoreApi({ apiUrl: core.url, username: 'root@openhim.org', password: 'openhim-password' }), registration: () => broken, applyConfig: async () => undefined, logger: memoryLogger().logger });
    const failure = await link.start().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(OpenhimSetupError);
    expect((failure as Error).message).toMatch(/rejected the registration \(400\): .*values array.*mediator-config\.json.*version/);
  });

  it('stops start-up when OPENHIM_API_URL is not Core\'s API', async () => {
    const core = await new FakeOpenhimCore().start();
    cores.push(core);
    const { app, fatal } = await appAgainst(`${core.url}/not-the-api`);
    apps.push(app);
    await eventually(async () => fatal.length === 1);
    expect(fatal[0]!.message).toMatch(/OPENHIM_API_URL must be Core's API/);
  });
});

describe('TLS towards Core\'s API', () => {
  let core: FakeOpenhimCore;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    core = await new FakeOpenhimCore({ https: true }).start();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.stop()));
  });
  afterAll(async () => {
    await core.stop();
  });

  it('refuses an untrusted certificate, naming OPENHIM_CA_FILE', async () => {
    const { app, fatal } = await appAgainst(core.url);
    apps.push(app);
    await eventually(async () => fatal.length === 1);
    expect(fatal[0]!.message).toMatch(/OPENHIM_CA_FILE/);
  });

  it.each([['a CA file', { OPENHIM_CA_FILE: CA_FILE }], ['OPENHIM_TRUST_SELF_SIGNED (development)', { OPENHIM_TRUST_SELF_SIGNED: 'true' }]])('registers when Core\'s certificate is trusted by %s', async (_how, env) => {
    core.deleteMediator(URN);
    const { app, fatal } = await appAgainst(core.url, env);
    apps.push(app);
    await eventually(async () => core.mediators.has(URN) && (core.mediators.get(URN)?.lastHeartbeat ?? 0) > 0);
    expect(fatal).toEqual([]);
  });
});

describe('live configuration from OpenHIM\'s console', () => {
  let core: FakeOpenhimCore;
  const apps: TestApp[] = [];
  beforeEach(async () => {
    core = await new FakeOpenhimCore().start();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.stop()));
    await core.stop();
  });

  async function registered(env: Record<string, string> = {}): Promise<{ app: TestApp; seen: LiveSettings[] }> {
    const { app } = await appAgainst(core.url, env);
    apps.push(app);
    const seen: LiveSettings[] = [];
    // A listener like the channels' (app.ts: live.subscribe('channels', …); see live-channels.int.test.ts).
    app.live.subscribe('test-channels', (next) => void seen.push(next));
    await eventually(async () => app.openhim?.state === 'registered');
    const beats = core.heartbeats(URN).length;
    await eventually(async () => core.heartbeats(URN).length >= beats + 2);
    return { app, seen };
  }

  it('applies a valid change without restart: thresholds, source URL and interval reach their listeners', async () => {
    const { app, seen } = await registered({ DHIS2_BASE_URL: 'https://dhis2.example.org' });
    const edit = core.consoleEdit(URN, { ...core.configOf(URN), matchUpperThreshold: 0.99, dhis2BaseUrl: 'https://dhis2-new.example.org', dhis2PollIntervalSeconds: 60, logLevel: 'debug' });
    expect(edit.status).toBe(200);
    await eventually(async () => seen.length === 1, 5000);
    expect(seen[0]).toMatchObject({ matchUpperThreshold: 0.99, dhis2BaseUrl: 'https://dhis2-new.example.org', dhis2PollIntervalSeconds: 60 });
    expect(app.live.current.matchUpperThreshold).toBe(0.99);
    expect(app.logger.level).toBe('debug');
    const applied = app.logLines.map((l) => JSON.parse(l) as { msg: string; changed?: string[] }).find((l) => l.msg === 'live settings applied');
    expect(applied?.changed).toEqual(['matchUpperThreshold', 'dhis2BaseUrl', 'dhis2PollIntervalSeconds', 'logLevel']);
  });

  it('a threshold changed in the console decides the next registration (live settings -> registry rules)', async () => {
    const { app } = await registered();
    const person = (id: string): Patient => ({
      resourceType: 'Patient', identifier: [{ system: 'http://openmrs.example.org/patient', value: id }],
      name: [{ family: 'Diallo', given: ['Mariama'] }], birthDate: '1987-06-15', gender: 'female',
      telecom: [{ system: 'phone', value: '+221771234567' }], address: [{ city: 'Thiès', postalCode: '21000' }],
    });
    const register = (id: string): ReturnType<typeof app.registry.service.registerSource> =>
      app.registry.service.registerSource({ patient: person(id), sourceSystem: 'openmrs', actor: { clientId: 'test' } });
    await register('A-1');
    expect((await register('A-2')).outcome).toBe('linked');
    core.consoleEdit(URN, { ...core.configOf(URN), matchUpperThreshold: 1 });
    await eventually(async () => app.live.current.matchUpperThreshold === 1, 5000);
    expect((await register('A-3')).outcome).toBe('review');
  });

  it('refuses an invalid change Core accepted, logs every problem and keeps the previous settings', async () => {
    const { app, seen } = await registered();
    const before = app.live.current;
    // Core checks types only: these pass its validation and fail Passerelle's.
    expect(core.consoleEdit(URN, { ...core.configOf(URN), matchUpperThreshold: 1.5, dhis2BaseUrl: 'ftp://dhis2', dhis2PageSize: 0 }).status).toBe(200);
    await eventually(async () => messages(app).includes('live settings refused; the previous settings stay in force'), 5000);
    const refusal = app.logLines.map((l) => JSON.parse(l) as { msg: string; problems?: string[] }).find((l) => l.msg === 'live settings refused; the previous settings stay in force')!;
    for (const key of ['matchUpperThreshold', 'dhis2BaseUrl', 'dhis2PageSize']) expect(refusal.problems!.some((p) => p.startsWith(`${key}:`))).toBe(true);
    expect(app.live.current).toBe(before);
    expect(seen).toEqual([]);
    // Core itself refuses a value of the wrong type; nothing reaches Passerelle.
    expect(core.consoleEdit(URN, { ...core.configOf(URN), dhis2PageSize: '50' }).status).toBe(400);
  });

  it('keeps a console change across a restart (config fetched at start; the same version changes nothing in Core)', async () => {
    const { app } = await registered();
    core.consoleEdit(URN, { ...core.configOf(URN), syncConcurrency: 5 });
    await eventually(async () => app.live.current.syncConcurrency === 5, 5000);
    await app.stop();
    const { app: restarted } = await appAgainst(core.url);
    apps.push(restarted);
    await eventually(async () => restarted.live.current.syncConcurrency === 5, 5000);
    expect(core.configOf(URN)?.syncConcurrency).toBe(5);
  });

  it('an upgrade registers the new version and its new settings, keeping the values changed in the console', async () => {
    const { app } = await registered();
    await app.stop();
    // What Core holds from an older release: a lower version, one setting fewer, a console change.
    const stored = core.mediators.get(URN)!.doc;
    const dropped = stored.configDefs![0]!.param;
    stored.version = '0.0.1';
    stored.configDefs = stored.configDefs!.slice(1);
    stored.config = { ...Object.fromEntries(Object.entries(stored.config!).filter(([k]) => k !== dropped)), syncConcurrency: 5 };
    const { app: upgraded } = await appAgainst(core.url);
    apps.push(upgraded);
    await eventually(async () => upgraded.live.current.syncConcurrency === 5, 5000);
    const now = core.mediators.get(URN)!.doc;
    expect(now.version).toBe(version);
    expect(now.configDefs!.map((d) => d.param)).toContain(dropped);
    expect(now.config?.syncConcurrency).toBe(5);
    expect(now.config).toHaveProperty(dropped);
  });

  it('shows why replicas poll: Core pushes a change to the first heartbeat after it only', async () => {
    const a = await registered();
    const b = await registered();
    core.consoleEdit(URN, { ...core.configOf(URN), matchLowerThreshold: 0.7 });
    await eventually(async () => a.seen.length + b.seen.length === 1, 5000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(a.seen.length + b.seen.length).toBe(1);
  });

  it('hands a change to both of two replicas, each asking for the config every OPENHIM_CONFIG_POLL_MS', async () => {
    const env = { OPENHIM_CONFIG_POLL_MS: '400' };
    const a = await registered(env);
    const b = await registered(env);
    core.consoleEdit(URN, { ...core.configOf(URN), matchLowerThreshold: 0.7 });
    await eventually(async () => a.seen.length === 1 && b.seen.length === 1, 5000);
    expect([a.app.live.current.matchLowerThreshold, b.app.live.current.matchLowerThreshold]).toEqual([0.7, 0.7]);
  });
});
