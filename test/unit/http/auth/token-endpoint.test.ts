import type { ServerInjectResponse } from '@hapi/hapi';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { ASSERTION_TYPE } from '../../../../src/http/auth/client-auth';
import type { Clock } from '../../../../src/core/types';
import { authHarness, BASE, LAB_SECRET } from './harness';
import type { AuthHarness } from './harness';

const form = (o: Record<string, string>): string => new URLSearchParams(o).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('POST /oauth2/token (client_credentials)', () => {
  let h: AuthHarness;
  let keyA: CryptoKey;
  let keyB: CryptoKey;
  const clock: Clock & { t: number } = { t: Date.now(), now() { return new Date(this.t); } };

  beforeAll(async () => {
    const a = await generateKeyPair('ES256', { extractable: true });
    const b = await generateKeyPair('ES256', { extractable: true });
    keyA = a.privateKey;
    keyB = b.privateKey;
    const jwk = async (k: CryptoKey, kid: string): Promise<JWK> => ({ ...(await exportJWK(k)), kid, alg: 'ES256' });
    h = await authHarness({
      clock,
      extraClients: [
        { clientId: 'pharmacy', name: 'Pharmacy', authMethod: 'private_key_jwt', scopes: ['system/Patient.read'], jwks: { keys: [await jwk(a.publicKey, 'a')] }, status: 'active', createdAt: '' },
        { clientId: 'hospital', name: 'Hospital', authMethod: 'private_key_jwt', scopes: ['system/Patient.read', 'system/Patient.write'], jwks: { keys: [await jwk(b.publicKey, 'b')] }, status: 'active', createdAt: '' },
      ],
    });
  });
  afterAll(async () => h.server.stop());

  const token = (payload: string, headers: Record<string, string> = {}, remoteAddress = '10.0.0.1'): Promise<ServerInjectResponse> =>
    h.server.inject({ method: 'POST', url: '/oauth2/token', payload, headers: { ...FORM, ...headers }, remoteAddress });
  const assertion = (key: CryptoKey, iss: string, claims: Record<string, unknown> = {}): Promise<string> =>
    new SignJWT({
      jti: `${Math.random()}`, iss, sub: iss, aud: `${BASE}/oauth2/token`,
      iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 120, ...claims,
    }).setProtectedHeader({ alg: 'ES256' }).sign(key);

  test('client_secret_post issues a short-lived at+jwt that opens the routes its scopes allow', async () => {
    const res = await token(form({ grant_type: 'client_credentials', client_id: 'lab-system', client_secret: LAB_SECRET }));
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.result as { access_token: string; token_type: string; expires_in: number; scope: string };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 300, scope: 'system/Patient.read mpi/review' });
    const read = await h.server.inject({ url: '/fhir/Patient', headers: { authorization: `Bearer ${body.access_token}` } });
    expect(read.statusCode).toBe(200);
    expect(read.result).toEqual({ ok: true, client: 'lab-system' });
    const write = await h.server.inject({ method: 'POST', url: '/fhir/Patient', payload: {}, headers: { authorization: `Bearer ${body.access_token}` } });
    expect(write.statusCode).toBe(403);
  });

  test('client_secret_basic works and scope can be narrowed', async () => {
    const basic = Buffer.from(`lab-system:${LAB_SECRET}`).toString('base64');
    const res = await token(form({ grant_type: 'client_credentials', scope: 'mpi/review' }), { authorization: `Basic ${basic}` });
    expect(res.statusCode).toBe(200);
    expect((res.result as { scope: string }).scope).toBe('mpi/review');
  });

  test('a scope the client was not granted → invalid_scope', async () => {
    const res = await token(form({ grant_type: 'client_credentials', client_id: 'lab-system', client_secret: LAB_SECRET, scope: 'mpi/admin' }), {}, '10.0.0.9');
    expect(res.statusCode).toBe(400);
    expect(res.result).toEqual({ error: 'invalid_scope', error_description: expect.any(String) });
  });

  test('wrong secret and unknown client get the same invalid_client answer', async () => {
    const wrong = await token(form({ grant_type: 'client_credentials', client_id: 'lab-system', client_secret: 'nope' }), {}, '10.0.1.1');
    const unknown = await token(form({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'nope' }), {}, '10.0.1.2');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.payload).toBe(unknown.payload);
  });

  test('unsupported grant types and wrong content types are refused', async () => {
    expect((await token(form({ grant_type: 'password', username: 'a', password: 'b' }))).statusCode).toBe(400);
    const json = await h.server.inject({ method: 'POST', url: '/oauth2/token', payload: { grant_type: 'client_credentials' } });
    expect(json.statusCode).toBe(415);
  });

  test('private_key_jwt: a client signs its own assertion', async () => {
    const res = await token(form({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion(keyA, 'pharmacy') }), {}, '10.0.2.1');
    expect(res.statusCode).toBe(200);
  });

  test('private_key_jwt: an assertion is single-use (jti replay)', async () => {
    const a = await assertion(keyA, 'pharmacy', { jti: 'fixed-jti' });
    const body = form({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: a });
    expect((await token(body, {}, '10.0.2.2')).statusCode).toBe(200);
    expect((await token(body, {}, '10.0.2.2')).statusCode).toBe(401);
  });

  test('private_key_jwt: the token of another client (signed with its key) does not authenticate as this one', async () => {
    const forged = await assertion(keyB, 'pharmacy');
    const res = await token(form({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: forged }), {}, '10.0.2.3');
    expect(res.statusCode).toBe(401);
    const mixed = await token(form({ grant_type: 'client_credentials', client_id: 'hospital', client_assertion_type: ASSERTION_TYPE, client_assertion: await assertion(keyA, 'pharmacy') }), {}, '10.0.2.3');
    expect(mixed.statusCode).toBe(401);
  });

  test('private_key_jwt: wrong audience and expired assertions fail', async () => {
    const wrongAud = await new SignJWT({ jti: 'x1' }).setProtectedHeader({ alg: 'ES256' }).setIssuer('pharmacy').setSubject('pharmacy')
      .setAudience('https://elsewhere').setIssuedAt().setExpirationTime('2m').sign(keyA);
    const expired = await assertion(keyA, 'pharmacy', { exp: Math.floor(Date.now() / 1000) - 300 });
    for (const a of [wrongAud, expired]) {
      expect((await token(form({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: a }), {}, '10.0.2.4')).statusCode).toBe(401);
    }
  });

  test('repeated failures throttle the client id and the address (429 + Retry-After)', async () => {
    const bad = form({ grant_type: 'client_credentials', client_id: 'lab-system', client_secret: 'guess' });
    // Earlier tests already failed for lab-system, so the block may start before the fifth attempt here.
    for (let i = 0; i < 5; i++) expect([401, 429]).toContain((await token(bad, {}, '10.9.9.9')).statusCode);
    const blocked = await token(form({ grant_type: 'client_credentials', client_id: 'lab-system', client_secret: LAB_SECRET }), {}, '10.9.9.8');
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) await token(form({ grant_type: 'client_credentials', client_id: `guess-${i}`, client_secret: 'x' }), {}, '10.7.7.7');
    const sameAddress = await token(form({ grant_type: 'client_credentials', client_id: 'guess-new', client_secret: 'x' }), {}, '10.7.7.7');
    expect(sameAddress.statusCode).toBe(429);
    clock.t += 61_000;
    expect((await token(form({ grant_type: 'client_credentials', client_id: 'lab-system', client_secret: LAB_SECRET }), {}, '10.9.9.8')).statusCode).toBe(200);
  });

  test('the JWKS is public and contains only public key material', async () => {
    const res = await h.server.inject({ url: '/.well-known/jwks.json' });
    expect(res.statusCode).toBe(200);
    const { keys } = res.result as { keys: Array<Record<string, unknown>> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256', use: 'sig', kid: h.own.kid });
    expect(keys[0]).not.toHaveProperty('d');
  });
});
