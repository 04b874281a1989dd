/**
 * The envelope of a request whose handler calls an upstream system over real sockets: a DHIS2 sync
 * run (the real channel, `POST /sync/dhis2/run`) against the fake DHIS2 on loopback, authenticated
 * with a personal access token; each call is reported the way channels do, onto the request's log.
 */
import { writeFileSync } from 'node:fs';
import { buildTestApp } from '../../helpers/app';
import { consume } from '../../helpers/kafka';
import { buildStackApp } from '../../helpers/stack-app';
import type { StackApp } from '../../helpers/stack-app';
import type { TestApp } from '../../helpers/app';
import { FakeDhis2, trackedEntityOf } from '../../helpers/fakes/dhis2';
import { person } from '../../helpers/fakes/people';
import { expectEnvelope } from '../../helpers/openhim-envelope';
import { dhis2Env } from '../../helpers/sync';

const TX = { 'x-openhim-transactionid': '6652c7a1f1e2d3c4b5a69788' };
const TOKEN = 'd2pat_fakeToken000000000000000000000';

describe('the envelope of a request with upstream calls', () => {
  const dhis2 = new FakeDhis2('2.42');
  let app: TestApp;
  beforeAll(async () => {
    await dhis2.start();
    for (let i = 0; i < 4; i++) dhis2.put(trackedEntityOf(person(500 + i)));
    app = await buildTestApp(dhis2Env(dhis2, { DHIS2_USERNAME: '', DHIS2_PASSWORD: '', DHIS2_API_TOKEN: TOKEN, DHIS2_PAGE_SIZE: '2', DHIS2_MPI_ID_ATTRIBUTE: '' }));
  });
  afterAll(async () => {
    await app.stop();
    await dhis2.close();
  });

  it('carries one orchestration per call, with its timing, the token removed', async () => {
    const env = expectEnvelope(await app.server.inject({ method: 'POST', url: '/sync/dhis2/run', headers: TX }));
    expect(env.status).toBe('Successful');
    // The version is asked once; then one call per page (each asked from the last page's instant).
    const run = JSON.parse(env.response.body) as { pages: number; counts: { created: number } };
    expect(run.counts.created).toBe(4);
    const upstream = env.orchestrations.filter((o) => o.name.startsWith('DHIS2'));
    expect(upstream.map((o) => o.name)).toEqual(['DHIS2 system info', ...Array<string>(run.pages).fill('DHIS2 trackedEntities page 1')]);
    // The rest are the Kafka publishes of the run's identity events, as the relay sent them.
    expect(env.orchestrations.filter((o) => !o.name.startsWith('DHIS2')).every((o) => o.name === 'Kafka publish passerelle.patient.identity')).toBe(true);
    for (const o of upstream.slice(1)) {
      expect(o.request).toMatchObject({ host: '127.0.0.1', path: '/api/tracker/trackedEntities', method: 'GET' });
      expect(Date.parse(o.response!.timestamp)).toBeGreaterThanOrEqual(Date.parse(o.request.timestamp));
      expect(JSON.parse(o.response!.body).trackedEntities.length).toBeGreaterThan(0);
    }
    expect(dhis2.http.requests.at(-1)?.headers.authorization).toBe(`ApiToken ${TOKEN}`);
    expect(JSON.stringify(env)).not.toContain(TOKEN);
  });

  it('says Completed with error(s) when a page failed but the run answered', async () => {
    dhis2.put(trackedEntityOf(person(600)));
    dhis2.http.inject({ kind: 'status', status: 500, body: 'java.lang.NullPointerException', headers: { 'content-type': 'text/plain' } }, { times: 3, match: (r) => r.path.endsWith('/trackedEntities') });
    const env = expectEnvelope(await app.server.inject({ method: 'POST', url: '/sync/dhis2/run', headers: TX }));
    expect(env.status).toBe('Completed with error(s)');
    expect(env.orchestrations.map((o) => o.name)).toEqual(['DHIS2 trackedEntities page 1', 'DHIS2 trackedEntities page 1 (retry 1)', 'DHIS2 trackedEntities page 1 (retry 2)']);
    expect(env.orchestrations.at(-1)!.response).toMatchObject({ status: 500, body: 'java.lang.NullPointerException' });
    expect(JSON.parse(env.response.body)).toMatchObject({ status: 'failed', error: 'dhis2 answered 500' });
  });
});

describe('the envelope of a DHIS2 sync on the real stack', () => {
  const dhis2 = new FakeDhis2('2.41');
  let s: StackApp;
  beforeAll(async () => {
    await dhis2.start();
    for (let i = 0; i < 5; i++) dhis2.put(trackedEntityOf(person(700 + i)));
    s = await buildStackApp(dhis2Env(dhis2, { DHIS2_PAGE_SIZE: '3' }));
  }, 60_000);
  afterAll(async () => {
    await s.close();
    await dhis2.close();
  });

  it('lists the DHIS2 calls, the write-back and the Kafka publishes to the broker, with the MPI IDs touched', async () => {
    const tx = { 'x-openhim-transactionid': '6652c7a1f1e2d3c4b5a69799' };
    const env = expectEnvelope(await s.app.server.inject({ method: 'POST', url: '/sync/dhis2/run', headers: tx }));
    expect(env.status).toBe('Successful');
    const names = env.orchestrations.map((o) => o.name);
    expect(names).toEqual(expect.arrayContaining(['DHIS2 system info', 'DHIS2 trackedEntities page 1', 'DHIS2 tracker import (3 MPI IDs)', 'DHIS2 tracker import (2 MPI IDs)', `Kafka publish ${s.topics.patient}`]));
    const publishes = env.orchestrations.filter((o) => o.name.startsWith('Kafka publish'));
    const broker = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',')[0]!;
    for (const p of publishes) expect(p.request).toMatchObject({ method: 'PRODUCE', host: broker.split(':')[0], port: broker.split(':')[1], path: `/${s.topics.patient}` });
    const published = publishes.reduce((n, p) => n + (JSON.parse(p.request.body) as { messages: number }).messages, 0);
    expect(published).toBe(5);
    // What the orchestrations say went out is on the topic, with the transaction id in its headers.
    const messages = await consume(s.topics.patient, 5);
    expect(messages.every((m) => m.headers['x-openhim-transactionid'] === tx['x-openhim-transactionid'])).toBe(true);
    expect(env.properties['mpi-ids']?.split(',')).toHaveLength(5);
    // ENVELOPE_SAMPLE=file keeps this envelope (the closing note of issue 15 shows one).
    if (process.env.ENVELOPE_SAMPLE) writeFileSync(process.env.ENVELOPE_SAMPLE, JSON.stringify(env, null, 2));
  }, 60_000);
});
