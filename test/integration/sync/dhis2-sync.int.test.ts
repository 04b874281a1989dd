/**
 * The DHIS2 channel on the real stack (MongoDB stand-in + Kafka): a sync of several pages with an
 * edit and a deletion while it runs, and a mediator process killed between pages that resumes from
 * its cursor without losing a record or emitting an event twice.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { consumeAll } from '../../helpers/kafka';
import { buildStackApp, eventually } from '../../helpers/stack-app';
import type { StackApp } from '../../helpers/stack-app';
import { FakeDhis2, SL, trackedEntityOf } from '../../helpers/fakes/dhis2';
import { person } from '../../helpers/fakes/people';
import { call, dhis2Env } from '../../helpers/sync';

jest.setTimeout(120_000);
const SYSTEM = 'urn:passerelle:dhis2:tracked-entity';
const fake = new FakeDhis2('2.42');

beforeAll(() => fake.start());
afterAll(() => fake.close());
beforeEach(() => {
  fake.entities.clear();
  fake.http.reset();
  fake.onExport(undefined);
});

/** Distinct CloudEvents ids per event type on a topic (duplicates of one event share an id). */
/**
 * Event types by distinct ce_id on a topic, once at least `atLeast` distinct events are there: a
 * process killed mid-relay may publish a batch again with the same ce_ids, which consumers drop.
 */
async function eventsByType(topic: string, atLeast: number): Promise<Record<string, number>> {
  const ids = new Map<string, string>();
  await eventually(async () => {
    for (const m of await consumeAll(topic)) ids.set(m.headers.ce_id ?? '', m.headers.ce_type ?? '');
    return ids.size >= atLeast;
  }, 30_000);
  const out: Record<string, number> = {};
  for (const type of ids.values()) out[type] = (out[type] ?? 0) + 1;
  return out;
}

describe('DHIS2 sync on the real stack', () => {
  let s: StackApp | undefined;
  let stopChild = (): boolean => false;
  afterEach(async () => {
    stopChild();
    await s?.close();
    s = undefined;
  });

  it('syncs several pages with an edit and a deletion midway', async () => {
    for (let i = 0; i < 25; i++) fake.put(trackedEntityOf(person(i)));
    const uids = [...fake.entities.keys()];
    // While page 3 is asked for, DHIS2 users edit an entity already taken in and delete another.
    fake.onExport((served) => {
      if (served !== 3) return;
      fake.edit(uids[1] ?? '', { [SL.firstName]: 'Fatmata-Edited' });
      fake.remove(uids[2] ?? '');
    });
    const app = await buildStackApp(dhis2Env(fake, { DHIS2_PAGE_SIZE: '10', DHIS2_MPI_ID_ATTRIBUTE: '' }));
    s = app;
    const run = await call(app.app.server, 'POST', '/sync/dhis2/run');
    expect(run.body).toMatchObject({ status: 'succeeded', counts: { created: 25, updated: 1, deactivated: 1, failed: 0 } });
    const edited = await app.app.registry.service.getSource(`${SYSTEM}|${uids[1] ?? ''}`);
    expect(edited?.patient.name?.[0]?.given).toEqual(['Fatmata-Edited']);
    expect((await app.app.registry.service.getSource(`${SYSTEM}|${uids[2] ?? ''}`))?.active).toBe(false);
    expect(await eventsByType(app.topics.patient, 27)).toEqual({ 'org.passerelle.patient.created': 25, 'org.passerelle.patient.updated': 1, 'org.passerelle.patient.deactivated': 1 });
    const status = await call(app.app.server, 'GET', '/sync/status');
    expect(status.body.channels[0]).toMatchObject({ channel: 'dhis2', last_run: { status: 'succeeded' }, open_failures: 0 });
  });

  it('resumes from the cursor after the process is killed between pages: nothing lost, no event twice', async () => {
    for (let i = 0; i < 30; i++) fake.put(trackedEntityOf(person(100 + i)));
    const run = randomUUID().slice(0, 8);
    const env = {
      ...dhis2Env(fake, { DHIS2_PAGE_SIZE: '10', DHIS2_MPI_ID_ATTRIBUTE: '' }), MONGODB_DB: `passerelle_it_${run}`, KAFKA_TOPIC_PATIENT: `it.${run}.patient`,
      KAFKA_TOPIC_REVIEW: `it.${run}.review`, KAFKA_TOPIC_DLQ: `it.${run}.dlq`, KAFKA_TOPIC_PRACTITIONER: `it.${run}.practitioner`,
    };
    const port = 4100 + Math.floor(Math.random() * 800);
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
      cwd: join(__dirname, '..', '..', '..'),
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', AUTH_MODE: 'none', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1', MONGODB_URI: process.env.MONGODB_URI ?? '', KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '', ...env },
    });
    const exited = new Promise((r) => child.once('exit', r));
    // Page 3 is asked for only once pages 1 and 2 are stored: the process dies right there.
    let killed = false;
    fake.onExport((served) => {
      if (served === 3 && !killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    });
    stopChild = () => child.kill('SIGKILL');
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null))?.ok === true, 60_000);
    await fetch(`http://127.0.0.1:${port}/sync/dhis2/run?wait=false`, { method: 'POST' });
    await exited;
    expect(killed).toBe(true);
    const resumedApp = await buildStackApp(env);
    s = resumedApp;
    const resumed = await call(resumedApp.app.server, 'POST', '/sync/dhis2/run');
    // Pages of 10 overlap by the boundary entity (updatedAfter is inclusive): 10 + 9 were stored before the kill.
    expect(resumed.body).toMatchObject({ status: 'succeeded', counts: { created: 11, failed: 0 } });
    for (const uid of fake.entities.keys()) expect(await resumedApp.app.registry.service.getSource(`${SYSTEM}|${uid}`)).not.toBeNull();
    // Each record's event once by ce_id (a batch in flight at the kill may be on the topic twice, same ce_id).
    expect(await eventsByType(resumedApp.topics.patient, 30)).toEqual({ 'org.passerelle.patient.created': 30 });
    await new Promise((r) => setTimeout(r, 2000));
    expect(await eventsByType(resumedApp.topics.patient, 30)).toEqual({ 'org.passerelle.patient.created': 30 });
  });
});
