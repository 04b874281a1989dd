/**
 * A hapi server with request context, the default error mapper and the auth plugin, plus key
 * material and token builders for the attack tests.
 */
import { Writable } from 'node:stream';
import Hapi from '@hapi/hapi';
import type { Server } from '@hapi/hapi';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { Counter, Histogram, Registry } from 'prom-client';
import { MediatorError } from '../../../../src/core/errors';
import { createLogger } from '../../../../src/core/logger';
import type { Logger } from '../../../../src/core/logger';
import type { Clock } from '../../../../src/core/types';
import { addErrorSurface, errorMapperPlugin } from '../../../../src/http/errors';
import { fhirErrorSurface } from '../../../../src/fhir/adapter';
import { FhirFormats } from '../../../../src/fhir/format';
import { requestContextPlugin } from '../../../../src/http/request-context';
import { FailureThrottle, RateLimiter } from '../../../../src/http/rate-limit';
import { MemoryClientStore } from '../../../../src/http/auth/clients';
import type { ClientRecord } from '../../../../src/http/auth/clients';
import { TokenIssuer } from '../../../../src/http/auth/issuer';
import { externalKeySet, generateSigningKey } from '../../../../src/http/auth/keys';
import type { SigningKey } from '../../../../src/http/auth/keys';
import { authPlugin } from '../../../../src/http/auth/plugin';
import type { AuthOptions } from '../../../../src/http/auth/plugin';
import { hashSecret } from '../../../../src/http/auth/secrets';
import { AccessTokenVerifier } from '../../../../src/http/auth/verifier';

export const BASE = 'http://passerelle.test';
export const IDP = 'https://idp.example.org/realms/health';

/** Captured log lines. */
export function memoryLogger(level = 'info'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  return { logger: createLogger(level, stream), lines };
}

/** Build the request-context plugin options with a throwaway metrics registry. */
export function contextOptions(logger: Logger): { logger: Logger; requests: Counter<'method' | 'route' | 'status'>; durations: Histogram<'method' | 'route'> } {
  const registry = new Registry();
  return {
    logger,
    requests: new Counter({ name: 'r', help: 'r', labelNames: ['method', 'route', 'status'] as const, registers: [registry] }),
    durations: new Histogram({ name: 'd', help: 'd', labelNames: ['method', 'route'] as const, registers: [registry] }),
  };
}

/** A bare server configured like createServer(). */
export function bareServer(): Server {
  return Hapi.server({
    router: { stripTrailingSlash: true },
    debug: false,
    routes: {
      payload: { maxBytes: 64 * 1024 },
      validate: { failAction: (_r, _h, err) => { throw new MediatorError('invalid', err?.message ?? 'Invalid request'); } },
    },
  });
}

export interface AuthHarness {
  server: Server;
  own: SigningKey;
  idp: { privateKey: CryptoKey; publicJwk: JWK };
  issuer: TokenIssuer;
  clients: MemoryClientStore;
  opts: AuthOptions;
  lines: string[];
  /** Sign a token as the external identity provider. */
  idpToken(claims?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
}

export interface HarnessOptions {
  perMinute?: number;
  clock?: Clock;
  openhimSecret?: string;
  mode?: 'jwt' | 'none';
  extraClients?: ClientRecord[];
}

/** Secret of the `lab-system` client in the harness store. */
export const LAB_SECRET = 'lab-secret-0123456789-abcdefghijklmnop';

/**
 * Build the harness with routes covering every security declaration.
 * @param o - limits, clock, OpenHIM secret
 */
export async function authHarness(o: HarnessOptions = {}): Promise<AuthHarness> {
  const { logger, lines } = memoryLogger();
  const own = await generateSigningKey('ES256');
  const kp = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(kp.publicKey)), kid: 'idp-1', alg: 'ES256' };
  const issuer = new TokenIssuer({ key: own, issuer: BASE, audience: BASE, clock: o.clock });
  const clients = new MemoryClientStore([
    { clientId: 'lab-system', name: 'Lab', authMethod: 'client_secret', scopes: ['system/Patient.read', 'mpi/review'], secretHash: await hashSecret(LAB_SECRET), status: 'active', createdAt: new Date().toISOString() },
    { clientId: 'openhim-dhis2', name: 'DHIS2 via OpenHIM', authMethod: 'openhim', scopes: ['system/Patient.read'], status: 'active', createdAt: new Date().toISOString() },
    ...(o.extraClients ?? []),
  ]);
  const opts: AuthOptions = {
    mode: o.mode ?? 'jwt',
    logger,
    verifier: new AccessTokenVerifier({
      clock: o.clock,
      issuers: [issuer.trusted(), { issuer: IDP, audience: BASE, keys: externalKeySet({ jwks: { keys: [publicJwk] } }), algorithms: ['ES256', 'RS256'] }],
    }),
    rateLimiter: new RateLimiter({ perMinute: o.perMinute ?? 1000, clock: o.clock }),
    tokenEndpoint: {
      issuer, clients, algorithms: ['ES256', 'RS256', 'EdDSA'], seenJti: new Map(),
      assertionAudiences: [`${BASE}/oauth2/token`, BASE],
      throttle: new FailureThrottle({ maxFailures: 5, windowMs: 60_000, blockMs: 60_000, clock: o.clock }),
    },
    openhim: o.openhimSecret ? { clients, sharedSecret: o.openhimSecret } : undefined,
  };
  const server = bareServer();
  await server.register([
    { plugin: requestContextPlugin, options: contextOptions(logger) },
    { plugin: errorMapperPlugin, options: { logger } },
    { plugin: authPlugin, options: opts },
  ]);
  // The probe routes stand in for the FHIR API: its errors are OperationOutcomes.
  addErrorSurface(server, fhirErrorSurface(new FhirFormats()));
  addProbeRoutes(server);
  await server.initialize();
  const idpToken = (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> =>
    new SignJWT({
      iss: IDP, aud: BASE, sub: 'user-42', iat: nowSec(o.clock), exp: nowSec(o.clock) + 300,
      scope: 'system/Patient.read', client_id: 'idp-client', ...claims,
    }).setProtectedHeader({ alg: 'ES256', kid: 'idp-1', ...header }).sign(kp.privateKey);
  return { server, own, idp: { privateKey: kp.privateKey, publicJwk }, issuer, clients, opts, lines, idpToken };
}

function nowSec(clock?: Clock): number {
  return Math.floor((clock ? clock.now().getTime() : Date.now()) / 1000);
}

function addProbeRoutes(server: Server): void {
  const ok = (req: Hapi.Request): object => ({ ok: true, client: req.app.caller.actor?.clientId ?? null });
  server.route([
    { method: 'GET', path: '/fhir/Patient', options: { plugins: { passerelle: { scope: 'system/Patient.read' } } }, handler: ok },
    { method: 'POST', path: '/fhir/Patient', options: { plugins: { passerelle: { scope: 'system/Patient.write' } } }, handler: ok },
    { method: 'GET', path: '/fhir/metadata', options: { plugins: { passerelle: { public: true } } }, handler: ok },
    { method: 'GET', path: '/undeclared', handler: ok },
    { method: 'GET', path: '/fhir/Practitioner', options: { plugins: { passerelle: { scope: 'system/Practitioner.read' } } }, handler: ok },
  ]);
}
