/**
 * Security over a real loopback port: an external IdP's JWKS fetched with createRemoteJWKSet
 * (global fetch), Passerelle's own token endpoint, the MPI API, headers as a real client sees them.
 */
import Hapi from '@hapi/hapi';
import type { Server } from '@hapi/hapi';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey } from 'jose';
import { loadConfig } from '../../../src/config';
import { MemoryClientStore } from '../../../src/http/auth/clients';
import { authPlugin } from '../../../src/http/auth/plugin';
import { createAuthOptions } from '../../../src/http/auth/setup';
import { hashSecret } from '../../../src/http/auth/secrets';
import { errorMapperPlugin } from '../../../src/http/errors';
import { requestContextPlugin } from '../../../src/http/request-context';
import { MemoryAuditStore } from '../../../src/audit/memory';
import { auditPlugin } from '../../../src/audit/plugin';
import { mpiApiPlugin } from '../../../src/mpi-api/plugin';
import { contextOptions, memoryLogger } from '../../unit/http/auth/harness';
import { aPerson, memoryRegistry } from '../../unit/mpi-api/harness';

const SECRET = 'integration-secret-0123456789abcdefghij';

describe('security over a real port', () => {
  let idp: Server;
  let app: Server;
  let idpKey: CryptoKey;
  let base: string;
  let idpUrl: string;

  beforeAll(async () => {
    const kp = await generateKeyPair('ES256', { extractable: true });
    idpKey = kp.privateKey;
    const jwk = { ...(await exportJWK(kp.publicKey)), kid: 'idp', alg: 'ES256' };
    idp = Hapi.server({ host: '127.0.0.1', port: 0 });
    idp.route({ method: 'GET', path: '/jwks.json', handler: () => ({ keys: [jwk] }) });
    await idp.start();
    idpUrl = idp.info.uri;

    const { logger } = memoryLogger();
    // The public base URL is only known once the port is; bind first, then register.
    const probe = Hapi.server({ host: '127.0.0.1', port: 0 });
    await probe.start();
    base = probe.info.uri;
    const port = probe.info.port;
    await probe.stop();
    const config = loadConfig({
      NODE_ENV: 'test', MONGODB_URI: 'mongodb://127.0.0.1:27117/', KAFKA_BROKERS: '127.0.0.1:19092', HOST: '127.0.0.1', PORT: String(port),
      AUTH_JWKS_URL: `${idpUrl}/jwks.json`, AUTH_ISSUER: idpUrl, RATE_LIMIT_PER_MINUTE: '50',
    });
    const clients = new MemoryClientStore([{ clientId: 'lab-system', name: 'Lab', authMethod: 'client_secret', scopes: ['system/Patient.read', 'system/Patient.write'], secretHash: await hashSecret(SECRET), status: 'active', createdAt: '' }]);
    const authOptions = await createAuthOptions({ config, logger, clients });
    app = Hapi.server({ host: '127.0.0.1', port, debug: false });
    await app.register([
      { plugin: requestContextPlugin, options: contextOptions(logger) },
      { plugin: errorMapperPlugin, options: { logger } },
      { plugin: authPlugin, options: authOptions },
      { plugin: auditPlugin, options: { store: new MemoryAuditStore(), logger, baseUrl: config.publicBaseUrl } },
      { plugin: mpiApiPlugin, options: { registry: memoryRegistry(), logger, version: 'test', baseUrl: config.publicBaseUrl } },
    ]);
    await app.start();
  });
  afterAll(async () => {
    await app.stop();
    await idp.stop();
  });

  test('client_credentials over HTTP, then the token opens /mpi/register; headers as seen on the wire', async () => {
    const tokenRes = await fetch(`${base}/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`lab-system:${SECRET}`).toString('base64')}` },
      body: 'grant_type=client_credentials',
    });
    expect(tokenRes.status).toBe(200);
    const { access_token } = (await tokenRes.json()) as { access_token: string };
    const reg = await fetch(`${base}/mpi/register`, { method: 'POST', headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' }, body: JSON.stringify(aPerson()) });
    expect(reg.status).toBe(201);
    expect(reg.headers.get('x-ratelimit-limit')).toBe('50');
    expect(Number(reg.headers.get('x-ratelimit-remaining'))).toBeLessThan(50);
    expect(reg.headers.get('x-ratelimit-reset')).toMatch(/^\d+$/);
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: unknown[] };
    expect(jwks.keys).toHaveLength(1);
  });

  test('an external IdP token is verified against its JWKS fetched over HTTP; its HMAC forgery is not', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ iss: idpUrl, aud: base, sub: 'svc', client_id: 'svc', scope: 'system/Patient.read', iat: now, exp: now + 60 })
      .setProtectedHeader({ alg: 'ES256', kid: 'idp' }).sign(idpKey);
    const ok = await fetch(`${base}/mpi/search?q=Diallo`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    const jwksText = await (await fetch(`${idpUrl}/jwks.json`)).text();
    const forged = await new SignJWT({ iss: idpUrl, aud: base, client_id: 'svc', scope: 'system/Patient.read', exp: now + 60 })
      .setProtectedHeader({ alg: 'HS256', kid: 'idp' }).sign(new TextEncoder().encode(jwksText));
    const denied = await fetch(`${base}/mpi/search?q=Diallo`, { headers: { authorization: `Bearer ${forged}` } });
    expect(denied.status).toBe(401);
    expect(denied.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(denied.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  test('public verify endpoint and rate limit 429 with Retry-After over the wire', async () => {
    let last: Response | undefined;
    for (let i = 0; i < 60; i++) {
      last = await fetch(`${base}/mpi/verify/AAAAAAAAAAAAAAAAAAAAAAAA`);
      if (last.status === 429) break;
      expect(await last.json()).toMatchObject({ status: 'not_found' });
    }
    expect(last?.status).toBe(429);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last?.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });
});
