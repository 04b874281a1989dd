import type { Orchestration } from '../../../src/core/orchestration';
import { createUpstreamClient } from '../../../src/channels/http';
import type { UpstreamClientOptions } from '../../../src/channels/http';
import { UpstreamError, redactUrl } from '../../../src/channels/upstream-error';
import { HttpFake } from '../../helpers/fakes/http-fake';

const fake = new HttpFake({ basic: { username: 'admin', password: 'district' }, apiToken: 'd2pat_secret' });
fake.route('GET', /^\/api\/ping$/, () => ({ body: { ok: true } }));
fake.route('POST', /^\/api\/echo$/, (r) => ({ body: { got: r.json } }));
fake.route('GET', /^\/api\/empty$/, () => ({ status: 204 }));

beforeAll(() => fake.start());
afterAll(() => fake.close());
beforeEach(() => fake.reset());

function client(over: Partial<UpstreamClientOptions> = {}): ReturnType<typeof createUpstreamClient> {
  return createUpstreamClient({ channel: 'dhis2', baseUrl: fake.url, auth: { kind: 'basic', username: 'admin', password: 'district' }, timeoutMs: 2000, backoffMs: 5, ...over });
}

async function failure(p: Promise<unknown>): Promise<UpstreamError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(UpstreamError);
  return err as UpstreamError;
}

describe('the upstream HTTP helper', () => {
  it('authenticates with Basic or a DHIS2 ApiToken and reads JSON', async () => {
    expect((await client().request({ method: 'GET', path: '/api/ping', name: 'ping' })).data).toEqual({ ok: true });
    const token = client({ auth: { kind: 'api-token', token: 'd2pat_secret' } });
    expect((await token.request({ method: 'GET', path: 'api/ping', name: 'ping' })).status).toBe(200);
    expect(fake.requests.at(-1)?.headers.authorization).toBe('ApiToken d2pat_secret');
    expect((await client().request({ method: 'GET', path: '/api/empty', name: 'empty' })).data).toBeUndefined();
  });

  it('refuses bad credentials at once, without retrying, as a non-retryable auth failure', async () => {
    const err = await failure(client({ auth: { kind: 'basic', username: 'admin', password: 'wrong' } }).request({ method: 'GET', path: '/api/ping', name: 'ping' }));
    expect(err).toMatchObject({ channel: 'dhis2', status: 401, failure: 'auth', retryable: false, code: 'upstream-rejected', method: 'GET' });
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a 503 with backoff and succeeds; one orchestration per attempt', async () => {
    fake.inject({ kind: 'status', status: 503 }, { times: 2 });
    const log: Orchestration[] = [];
    const res = await client().request({ method: 'GET', path: '/api/ping', query: { page: 2, skip: undefined }, name: 'DHIS2 ping' }, (o) => log.push(o));
    expect(res.data).toEqual({ ok: true });
    expect(log.map((o) => [o.name, o.response.status])).toEqual([['DHIS2 ping', 503], ['DHIS2 ping (retry 1)', 503], ['DHIS2 ping (retry 2)', 200]]);
    expect(log[0]?.request).toMatchObject({ method: 'GET', url: `${fake.url}/api/ping`, querystring: 'page=2' });
    expect(JSON.stringify(log)).not.toContain('district');
  });

  it('gives up after its retries with the last status, the URL and the duration', async () => {
    fake.inject({ kind: 'status', status: 500 }, { times: 5 });
    const err = await failure(client({ retries: 1 }).request({ method: 'GET', path: '/api/ping', name: 'ping' }));
    expect(err).toMatchObject({ status: 500, failure: 'status', retryable: true, code: 'upstream-unavailable', url: `${fake.url}/api/ping` });
    expect(err.durationMs).toBeGreaterThanOrEqual(0);
    expect(fake.requests).toHaveLength(2);
  });

  it('does not retry a 400 or a non-idempotent POST', async () => {
    fake.inject({ kind: 'status', status: 400 });
    expect(await failure(client().request({ method: 'GET', path: '/api/ping', name: 'ping' }))).toMatchObject({ status: 400, retryable: false });
    fake.inject({ kind: 'status', status: 503 });
    expect(await failure(client().request({ method: 'POST', path: '/api/echo', body: { a: 1 }, name: 'echo' }))).toMatchObject({ status: 503 });
    expect(fake.requests).toHaveLength(2);
    fake.inject({ kind: 'status', status: 503 });
    expect((await client().request({ method: 'POST', path: '/api/echo', body: { a: 1 }, name: 'echo', idempotent: true })).data).toEqual({ got: { a: 1 } });
  });

  it('honours Retry-After on a 429', async () => {
    fake.inject({ kind: 'status', status: 429, headers: { 'retry-after': '0' } });
    expect((await client().request({ method: 'GET', path: '/api/ping', name: 'ping' })).status).toBe(200);
  });

  it('times out a slow answer and says so', async () => {
    fake.inject({ kind: 'delay', ms: 400 }, { times: 3 });
    const err = await failure(client({ timeoutMs: 100, retries: 1 }).request({ method: 'GET', path: '/api/ping', name: 'ping' }));
    expect(err).toMatchObject({ failure: 'timeout', retryable: true });
    expect(err.message).toBe('dhis2 did not answer within 100 ms');
  });

  it('treats an HTML page with status 200 and a truncated body as malformed, whatever the status', async () => {
    fake.inject({ kind: 'html200' }, { times: 3 });
    expect(await failure(client().request({ method: 'GET', path: '/api/ping', name: 'ping' }))).toMatchObject({ failure: 'malformed', status: 200, message: 'dhis2 answered with an HTML page instead of JSON (status 200)' });
    fake.inject({ kind: 'truncated' }, { times: 3 });
    const err = await failure(client().request({ method: 'GET', path: '/api/ping', name: 'ping' }));
    expect(err.message).toMatch(/not complete JSON/);
  });

  it('reports a dropped connection and an unreachable server as network failures', async () => {
    fake.inject({ kind: 'reset' }, { times: 3 });
    expect(await failure(client().request({ method: 'GET', path: '/api/ping', name: 'ping' }))).toMatchObject({ failure: 'network', retryable: true });
    const down = createUpstreamClient({ channel: 'ihris', baseUrl: 'http://127.0.0.1:9', auth: { kind: 'none' }, timeoutMs: 500, retries: 0 });
    expect(await failure(down.request({ method: 'GET', path: '/x', name: 'x' }))).toMatchObject({ channel: 'ihris', failure: 'network' });
  });

  it('keeps a session cookie when asked to', async () => {
    const withCookie = new HttpFake({ basic: { username: 'admin', password: 'Admin123' }, sessionCookie: 'JSESSIONID=abc' });
    withCookie.route('GET', /^\/x$/, () => ({ body: {} }));
    await withCookie.start();
    try {
      const c = createUpstreamClient({ channel: 'openmrs', baseUrl: withCookie.url, auth: { kind: 'basic', username: 'admin', password: 'Admin123' }, timeoutMs: 1000, sessionCookie: true });
      await c.request({ method: 'GET', path: '/x', name: 'x' });
      await c.request({ method: 'GET', path: '/x', name: 'x' });
      expect(withCookie.requests[1]?.headers.cookie).toBe('JSESSIONID=abc');
    } finally {
      await withCookie.close();
    }
  });

  it('strips credentials and secret parameters from URLs', () => {
    expect(redactUrl('https://admin:district@dhis2.example.org/api?token=x&page=2')).toBe('https://dhis2.example.org/api?token=REDACTED&page=2');
  });
});
