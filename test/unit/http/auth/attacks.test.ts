import type { ServerInjectResponse } from '@hapi/hapi';
import { SignJWT, UnsecuredJWT, base64url, generateKeyPair } from 'jose';
import { authHarness, BASE, IDP } from './harness';
import type { AuthHarness } from './harness';

const GENERIC_401 = 'The access token is missing, invalid or expired';

describe('bearer token attacks (each → 401/403 with a body that explains nothing)', () => {
  let h: AuthHarness;
  beforeAll(async () => {
    h = await authHarness();
  });
  afterAll(async () => h.server.stop());

  const get = (auth?: string, url = '/fhir/Patient'): Promise<ServerInjectResponse> =>
    h.server.inject({ method: 'GET', url, headers: auth === undefined ? {} : { authorization: auth } });

  async function expect401(auth?: string): Promise<void> {
    const res = await get(auth);
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
    expect(res.headers['content-type']).toMatch(/application\/fhir\+json/);
    const body = res.result as { resourceType: string; issue: Array<{ diagnostics: string; code: string }> };
    expect(body.resourceType).toBe('OperationOutcome');
    expect(body.issue).toHaveLength(1);
    expect(body.issue[0]?.diagnostics).toBe(GENERIC_401);
  }

  test('a valid token from the trusted IdP is accepted and identifies the client and user', async () => {
    const res = await get(`Bearer ${await h.idpToken()}`);
    expect(res.statusCode).toBe(200);
    expect(res.result).toEqual({ ok: true, client: 'idp-client' });
  });

  test('missing token', async () => expect401());
  test.each([
    ['empty bearer', 'Bearer '],
    ['not a JWT', 'Bearer abc'],
    ['garbage segments', 'Bearer aaa.bbb.ccc'],
    ['wrong scheme', 'Basic dXNlcjpwYXNz'],
    ['injection in header', "Bearer ' OR 1=1 --"],
    ['two tokens', 'Bearer a.b.c Bearer d.e.f'],
  ])('malformed token: %s', async (_name, auth) => expect401(auth));

  test('alg: none', async () => {
    const token = new UnsecuredJWT({ scope: 'system/Patient.read', client_id: 'x' }).setIssuer(IDP).setAudience(BASE).setExpirationTime('5m').encode();
    await expect401(`Bearer ${token}`);
  });

  test('alg: none on a Passerelle-issued-looking token', async () => {
    const token = new UnsecuredJWT({ scope: 'system/Patient.read', client_id: 'x' }).setIssuer(BASE).setAudience(BASE).setExpirationTime('5m').encode();
    await expect401(`Bearer ${token}`);
  });

  test('HS256 token signed with the published public key as the secret', async () => {
    for (const secret of [JSON.stringify(h.idp.publicJwk), JSON.stringify(h.own.publicJwk), h.idp.publicJwk.x ?? '']) {
      const token = await new SignJWT({ scope: 'system/Patient.read', client_id: 'x' })
        .setProtectedHeader({ alg: 'HS256', kid: 'idp-1' }).setIssuer(IDP).setAudience(BASE).setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));
      await expect401(`Bearer ${token}`);
    }
  });

  test('expired', async () => expect401(`Bearer ${await h.idpToken({ exp: Math.floor(Date.now() / 1000) - 120 })}`));
  test('expired within the clock skew is still accepted', async () => {
    const res = await get(`Bearer ${await h.idpToken({ exp: Math.floor(Date.now() / 1000) - 5 })}`);
    expect(res.statusCode).toBe(200);
  });
  test('not yet valid', async () => expect401(`Bearer ${await h.idpToken({ nbf: Math.floor(Date.now() / 1000) + 600 })}`));
  test('wrong issuer', async () => expect401(`Bearer ${await h.idpToken({ iss: 'https://evil.example.org' })}`));
  test('wrong audience', async () => expect401(`Bearer ${await h.idpToken({ aud: 'https://other-service.example.org' })}`));
  test('no expiry at all', async () => {
    const token = await new SignJWT({ scope: 'system/Patient.read', client_id: 'x' })
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' }).setIssuer(IDP).setAudience(BASE).sign(h.idp.privateKey);
    await expect401(`Bearer ${token}`);
  });

  test('tampered payload (scope widened, signature kept)', async () => {
    const [head, payload, sig] = (await h.idpToken()).split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as Record<string, unknown>;
    claims.scope = 'system/Patient.read system/Patient.write mpi/admin';
    await expect401(`Bearer ${head}.${base64url.encode(JSON.stringify(claims))}.${sig}`);
  });

  test('token signed by another party claiming the trusted issuer and kid', async () => {
    const other = await generateKeyPair('ES256');
    const token = await new SignJWT({ scope: 'system/Patient.read', client_id: 'x' })
      .setProtectedHeader({ alg: 'ES256', kid: 'idp-1' }).setIssuer(IDP).setAudience(BASE).setExpirationTime('5m').sign(other.privateKey);
    await expect401(`Bearer ${token}`);
  });

  test('a token minted for another service by Passerelle\'s key is not an access token (typ check)', async () => {
    const token = await new SignJWT({ scope: 'system/Patient.read', client_id: 'lab-system' })
      .setProtectedHeader({ alg: 'ES256', kid: h.own.kid }).setIssuer(BASE).setAudience(BASE).setExpirationTime('5m').sign(h.own.privateKey);
    await expect401(`Bearer ${token}`);
  });

  test('every 401 has the same body whatever the reason', async () => {
    const bodies = new Set<string>();
    for (const auth of [undefined, 'Bearer abc', `Bearer ${await h.idpToken({ iss: 'x' })}`, `Bearer ${await h.idpToken({ exp: 1 })}`]) {
      bodies.add((await get(auth)).payload);
    }
    expect(bodies.size).toBe(1);
  });

  test('missing scope → 403 with a generic body and insufficient_scope', async () => {
    const res = await h.server.inject({ method: 'POST', url: '/fhir/Patient', payload: {}, headers: { authorization: `Bearer ${await h.idpToken()}` } });
    expect(res.statusCode).toBe(403);
    expect(res.headers['www-authenticate']).toContain('insufficient_scope');
    expect(res.payload).not.toContain('system/Patient');
  });

  test('SMART wildcard scopes grant the matching routes only', async () => {
    const token = await h.idpToken({ scope: 'system/Patient.*' });
    expect((await get(`Bearer ${token}`)).statusCode).toBe(200);
    expect((await get(`Bearer ${token}`, '/fhir/Practitioner')).statusCode).toBe(403);
  });

  test('a route that declares no scope is denied even with every scope (fail closed)', async () => {
    const token = await h.idpToken({ scope: 'system/Patient.read system/Patient.write system/Practitioner.read mpi/review mpi/admin system/*.*' });
    expect((await get(`Bearer ${token}`, '/undeclared')).statusCode).toBe(403);
  });

  test('public routes need no token, and ignore a bad one', async () => {
    expect((await get(undefined, '/fhir/metadata')).statusCode).toBe(200);
    expect((await get('Bearer garbage', '/fhir/metadata')).statusCode).toBe(200);
  });

  test('unknown paths answer 404 (route existence is public in the OpenAPI document anyway)', async () => {
    expect((await get(undefined, '/nowhere')).statusCode).toBe(404);
    expect((await get(`Bearer ${await h.idpToken()}`, '/nowhere')).statusCode).toBe(404);
  });

  test('an oversized Authorization header is rejected, not parsed', async () => {
    await expect401(`Bearer ${'a'.repeat(5000)}.${'b'.repeat(5000)}.c`);
  });
});

describe('verified-token cache', () => {
  test('a cached token stops working once it expires (plus skew)', async () => {
    const clock = { t: Date.now(), now(): Date { return new Date(this.t); } };
    const h = await authHarness({ clock });
    const token = await h.idpToken();
    const call = (): Promise<ServerInjectResponse> => h.server.inject({ url: '/fhir/Patient', headers: { authorization: `Bearer ${token}` } });
    expect((await call()).statusCode).toBe(200);
    expect((await call()).statusCode).toBe(200);
    clock.t += 300_000 + 31_000;
    expect((await call()).statusCode).toBe(401);
  });
});
