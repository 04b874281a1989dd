/**
 * The envelope of a request whose handler calls an upstream system over real sockets: a DHIS2 sync
 * run (the real channel, `POST /sync/dhis2/run`) against the fake DHIS2 on loopback, authenticated
 * with a personal access token; each call is reported the way channels do, onto the request's log.
 */
import { buildTestApp } from '../../helpers/app';
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
    expect(env.orchestrations.map((o) => o.name)).toEqual(['DHIS2 system info', ...Array<string>(run.pages).fill('DHIS2 trackedEntities page 1')]);
    for (const o of env.orchestrations.slice(1)) {
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
