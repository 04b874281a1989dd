/**
 * `npm run events -- replay` as operators run it: a process against the real store and broker
 * re-publishes to a fresh topic, from which an empty consumer rebuilds exactly the MPI's identities;
 * `status` prints the outbox backlog.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { consume } from '../../helpers/kafka';
import { IdentityMirror, identityDifferences, registryIdentities } from '../../helpers/identity-mirror';
import { runIdentityWorkload } from '../../helpers/identity-workload';
import { expectValidEvent } from '../../helpers/event-schema';
import { buildStackApp } from '../../helpers/stack-app';
import type { StackApp } from '../../helpers/stack-app';

jest.setTimeout(180000);
const root = join(__dirname, '..', '..', '..');

async function cli(s: StackApp, args: string[]): Promise<Record<string, unknown>> {
  const env = {
    PATH: process.env.PATH ?? '', KAFKAJS_NO_PARTITIONER_WARNING: '1', NODE_ENV: 'development', AUTH_MODE: 'none', LOG_LEVEL: 'warn',
    MONGODB_URI: s.app.config.env.MONGODB_URI ?? '', MONGODB_DB: s.dbName, KAFKA_BROKERS: (s.app.config.env.KAFKA_BROKERS ?? []).join(','),
    KAFKA_TOPIC_PATIENT: s.topics.patient, MPI_ID_COUNTRY: 'SN', MPI_ID_REGION: 'DKR',
  };
  const { stdout } = await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', 'src/cli/events.ts', ...args], { cwd: root, env });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

describe('npm run events -- replay', () => {
  let s: StackApp;
  beforeAll(async () => {
    s = await buildStackApp();
    await runIdentityWorkload(s.app.registry.service, 31, 60);
    await s.app.relay.flush();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('rebuilds every identity in an empty consumer from a fresh topic', async () => {
    const topic = `${s.topics.patient}.rebuild`;
    const out = await cli(s, ['replay', '--since', '1970-01-01T00:00:00Z', '--topic', topic]);
    expect(out).toMatchObject({ command: 'replay', mode: 'snapshot', topic, dryRun: false });
    const messages = await consume(topic, out.events as number, 60000);
    const mirror = new IdentityMirror();
    for (const m of messages) {
      expectValidEvent(m);
      mirror.apply({ id: m.headers.ce_id ?? '', type: m.headers.ce_type ?? '', payload: JSON.parse(m.value) });
    }
    expect(identityDifferences(await registryIdentities(s.app.registry.store), mirror.patients)).toEqual([]);
  });

  it('status prints the backlog', async () => {
    expect(await cli(s, ['status'])).toEqual({ command: 'status', outbox: { count: 0, oldestAt: null } });
  });
});
