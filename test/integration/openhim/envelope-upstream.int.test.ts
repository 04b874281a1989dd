/**
 * The envelope of a request whose handler calls an upstream system over real sockets: a test-only
 * route (added to this test's server, never to the production table) reads two pages from a
 * DHIS2-like server on loopback and reports each call the way channels do, onto the request's log.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Request } from '@hapi/hapi';
import type { Orchestration } from '../../../src/core/orchestration';
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import { expectEnvelope } from '../../helpers/openhim-envelope';

const TX = { 'x-openhim-transactionid': '6652c7a1f1e2d3c4b5a69788' };

/** A DHIS2-like tracker API: two pages of tracked entities, then a 500 for page 3. */
function dhis2Like(): Server {
  return createServer((req, res) => {
    const page = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('page') ?? '1');
    if (page > 2) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('java.lang.NullPointerException');
      return;
    }
    const body = JSON.stringify({ pager: { page, pageSize: 2 }, trackedEntities: [{ trackedEntity: `TE${page}aaaaaaa` }, { trackedEntity: `TE${page}bbbbbbb` }] });
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(body), 20);
  });
}

async function call(request: Request, url: string, name: string): Promise<number> {
  const started = new Date().toISOString();
  const res = await fetch(url, { headers: { authorization: 'ApiToken d2pat_secret', accept: 'application/json' } });
  const body = await res.text();
  const o: Orchestration = {
    name,
    request: { method: 'GET', url, timestamp: started, headers: { authorization: 'ApiToken d2pat_secret', accept: 'application/json' } },
    response: { status: res.status, timestamp: new Date().toISOString(), headers: { 'content-type': res.headers.get('content-type') ?? '' }, body },
  };
  request.app.ctx.orchestrations.push(o);
  return res.status;
}

describe('the envelope of a request with upstream calls', () => {
  let upstream: Server;
  let app: TestApp;
  let base: string;
  beforeAll(async () => {
    upstream = dhis2Like();
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/api/tracker/trackedEntities`;
    app = await buildTestApp();
    app.server.route({
      method: 'POST', path: '/sync/{channel}/run', options: { plugins: { passerelle: { public: true } } },
      handler: async (request) => {
        const pages = Number(request.query.pages ?? '2');
        const statuses: number[] = [];
        for (let p = 1; p <= pages; p++) statuses.push(await call(request, `${base}?page=${p}&pageSize=2&program=IpHINAT79UW`, `DHIS2 trackedEntities page ${p}`));
        return { channel: request.params.channel, pages: statuses.length, failedPages: statuses.filter((s) => s >= 500).length };
      },
    });
  });
  afterAll(async () => {
    await app.stop();
    await new Promise((r) => upstream.close(r));
  });

  it('carries one orchestration per call, with its timing, the token removed', async () => {
    const env = expectEnvelope(await app.server.inject({ method: 'POST', url: '/sync/dhis2/run', headers: TX }));
    expect(env.status).toBe('Successful');
    expect(env.orchestrations.map((o) => o.name)).toEqual(['DHIS2 trackedEntities page 1', 'DHIS2 trackedEntities page 2']);
    for (const o of env.orchestrations) {
      expect(o.request).toMatchObject({ host: '127.0.0.1', path: '/api/tracker/trackedEntities', method: 'GET', headers: { authorization: '[redacted]' } });
      expect(Date.parse(o.response!.timestamp)).toBeGreaterThanOrEqual(Date.parse(o.request.timestamp));
      expect(JSON.parse(o.response!.body).trackedEntities).toHaveLength(2);
    }
    expect(JSON.stringify(env)).not.toContain('d2pat_secret');
  });

  it('says Completed with error(s) when a page failed but the run answered', async () => {
    const env = expectEnvelope(await app.server.inject({ method: 'POST', url: '/sync/dhis2/run?pages=3', headers: TX }));
    expect(env.status).toBe('Completed with error(s)');
    expect(env.orchestrations.at(-1)!.response).toMatchObject({ status: 500, body: 'java.lang.NullPointerException' });
    expect(JSON.parse(env.response.body)).toEqual({ channel: 'dhis2', pages: 3, failedPages: 1 });
  });
});
