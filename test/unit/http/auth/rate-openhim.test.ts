import type { ServerInjectResponse } from '@hapi/hapi';
import type { Clock } from '../../../../src/core/types';
import { RateLimiter } from '../../../../src/http/rate-limit';
import { OPENHIM_CLIENT_HEADER, OPENHIM_SECRET_HEADER } from '../../../../src/http/auth/openhim';
import { authHarness } from './harness';

const SECRET = 'openhim-route-secret-0123456789';

describe('rate limits', () => {
  test('every response carries X-RateLimit-* and the budget runs out with 429 + Retry-After', async () => {
    // A stopped clock: no token comes back during the test; 3 a minute is one token per 20 s.
    const clock: Clock = { now: () => new Date('2026-01-01T00:00:10Z') };
    const h = await authHarness({ perMinute: 3, clock });
    const auth = { authorization: `Bearer ${await h.idpToken()}` };
    const r1 = await h.server.inject({ url: '/fhir/Patient', headers: auth });
    expect(r1.statusCode).toBe(200);
    expect(r1.headers).toMatchObject({ 'x-ratelimit-limit': '3', 'x-ratelimit-remaining': '2', 'x-ratelimit-reset': '20' });
    const forbidden = await h.server.inject({ url: '/fhir/Practitioner', headers: auth });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers['x-ratelimit-remaining']).toBe('1');
    await h.server.inject({ url: '/fhir/Patient', headers: auth });
    const limited = await h.server.inject({ url: '/fhir/Patient', headers: auth });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('20');
    expect(limited.headers['x-ratelimit-remaining']).toBe('0');
    expect((limited.result as { resourceType: string }).resourceType).toBe('OperationOutcome');
    // Another client has its own budget; anonymous callers are counted per address.
    const other = await h.server.inject({ url: '/fhir/Patient', headers: { authorization: `Bearer ${await h.idpToken({ client_id: 'other' })}` } });
    expect(other.statusCode).toBe(200);
    const anon = await h.server.inject({ url: '/fhir/metadata', remoteAddress: '192.0.2.1' });
    expect(anon.headers['x-ratelimit-remaining']).toBe('2');
    const unauth = await h.server.inject({ url: '/fhir/Patient', remoteAddress: '192.0.2.1' });
    expect(unauth.statusCode).toBe(401);
    expect(unauth.headers['x-ratelimit-remaining']).toBe('1');
  });

  test('a spent budget is whole again after a minute', () => {
    let t = Date.parse('2026-01-01T00:00:00Z');
    const limiter = new RateLimiter({ perMinute: 1, clock: { now: () => new Date(t) } });
    expect(limiter.consume('a').allowed).toBe(true);
    expect(limiter.consume('a')).toMatchObject({ allowed: false, retryAfterSeconds: 60 });
    t += 60_000;
    expect(limiter.consume('a')).toEqual({ allowed: true, limit: 1, remaining: 0, resetSeconds: 60, retryAfterSeconds: 0 });
  });
});

describe('OpenHIM client id trust', () => {
  test('trusted only with the shared secret and a registered openhim client', async () => {
    const h = await authHarness({ openhimSecret: SECRET });
    const call = (headers: Record<string, string>): Promise<ServerInjectResponse> => h.server.inject({ url: '/fhir/Patient', headers });
    expect((await call({ [OPENHIM_CLIENT_HEADER]: 'openhim-dhis2' })).statusCode).toBe(401);
    expect((await call({ [OPENHIM_CLIENT_HEADER]: 'openhim-dhis2', [OPENHIM_SECRET_HEADER]: 'wrong' })).statusCode).toBe(401);
    expect((await call({ [OPENHIM_CLIENT_HEADER]: 'lab-system', [OPENHIM_SECRET_HEADER]: SECRET })).statusCode).toBe(401);
    expect((await call({ [OPENHIM_CLIENT_HEADER]: 'unknown', [OPENHIM_SECRET_HEADER]: SECRET })).statusCode).toBe(401);
    const ok = await call({ [OPENHIM_CLIENT_HEADER]: 'openhim-dhis2', [OPENHIM_SECRET_HEADER]: SECRET });
    expect(ok.statusCode).toBe(200);
    expect(ok.result).toEqual({ ok: true, client: 'openhim-dhis2' });
  });

  test('accepts the secret as the Basic password of an OpenHIM route (Core routes cannot add headers)', async () => {
    const h = await authHarness({ openhimSecret: SECRET });
    const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const call = (headers: Record<string, string>): Promise<ServerInjectResponse> => h.server.inject({ url: '/fhir/Patient', headers });
    // OpenHIM's client id names the caller; the route's username is only the proof's carrier.
    const routed = await call({ [OPENHIM_CLIENT_HEADER]: 'openhim-dhis2', authorization: basic('openhim', SECRET) });
    expect([routed.statusCode, routed.result]).toEqual([200, { ok: true, client: 'openhim-dhis2' }]);
    // A polling channel's run carries no client id: the route's username names the client.
    const polled = await call({ 'channel-id': '6652c7a1f1e2d3c4b5a60000', authorization: basic('openhim-dhis2', SECRET) });
    expect([polled.statusCode, polled.result]).toEqual([200, { ok: true, client: 'openhim-dhis2' }]);
    expect((await call({ [OPENHIM_CLIENT_HEADER]: 'openhim-dhis2', authorization: basic('openhim', 'wrong') })).statusCode).toBe(401);
    expect((await call({ authorization: basic('lab-system', SECRET) })).statusCode).toBe(401);
    expect((await call({ authorization: basic('unknown', SECRET) })).statusCode).toBe(401);
  });

  test('ignored entirely when the deployment does not turn it on', async () => {
    const h = await authHarness();
    const res = await h.server.inject({ url: '/fhir/Patient', headers: { [OPENHIM_CLIENT_HEADER]: 'openhim-dhis2', [OPENHIM_SECRET_HEADER]: SECRET } });
    expect(res.statusCode).toBe(401);
    const basic = await h.server.inject({ url: '/fhir/Patient', headers: { authorization: `Basic ${Buffer.from(`openhim-dhis2:${SECRET}`).toString('base64')}` } });
    expect(basic.statusCode).toBe(401);
  });
});

describe('AUTH_MODE=none (development)', () => {
  test('every request has every scope', async () => {
    const h = await authHarness({ mode: 'none' });
    expect((await h.server.inject({ method: 'POST', url: '/fhir/Patient', payload: {} })).statusCode).toBe(200);
  });
});
