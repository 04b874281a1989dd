/**
 * A hapi server with request context, default error mapper, auth, audit and the MPI API over the
 * in-memory registry service with the real matching engine; plus a token minting helper.
 */
import type { Server } from '@hapi/hapi';
import { SignJWT } from 'jose';
import { Writable } from 'node:stream';
import { createLogger } from '../../../src/core/logger';
import { addErrorSurface, errorMapperPlugin } from '../../../src/http/errors';
import { fhirErrorSurface } from '../../../src/fhir/adapter';
import { FhirFormats } from '../../../src/fhir/format';
import { requestContextPlugin } from '../../../src/http/request-context';
import { RateLimiter } from '../../../src/http/rate-limit';
import { TokenIssuer } from '../../../src/http/auth/issuer';
import { generateSigningKey } from '../../../src/http/auth/keys';
import { authPlugin } from '../../../src/http/auth/plugin';
import { AccessTokenVerifier } from '../../../src/http/auth/verifier';
import { MemoryAuditStore } from '../../../src/audit/memory';
import { auditPlugin } from '../../../src/audit/plugin';
import { mpiApiPlugin } from '../../../src/mpi-api/plugin';
import { createMemoryRegistryStore } from '../../../src/registry/memory/memory-store';
import { createRegistryService } from '../../../src/registry/service';
import type { RegistryService } from '../../../src/registry/api';
import { createMatchingEngine, defaultModel } from '../../../src/registry/matching';
import { bareServer, contextOptions } from '../http/auth/harness';

export const BASE = 'http://passerelle.test';
export const ALL_SCOPES = 'system/Patient.read system/Patient.write system/Practitioner.read mpi/review mpi/admin';

export interface MpiHarness {
  server: Server;
  registry: RegistryService;
  audit: MemoryAuditStore;
  lines: string[];
  /** A bearer header for a client with the given scopes. */
  auth(scopes?: string, clientId?: string): Promise<Record<string, string>>;
  /** A bearer header for a person (`sub`) signed in through a client (`azp`), as an identity provider issues it. */
  personAuth(userId: string, scopes: string, clientId?: string): Promise<Record<string, string>>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are probed freely in tests
export type Json = Record<string, any>;
/** A response as the MPI tests read it. */
export interface Res {
  status: number;
  body: Json;
  type: string;
  headers: Record<string, unknown>;
}

/**
 * A request helper that adds the current bearer header to every injected call.
 * @param harness - reads the harness at call time (it is built in beforeAll)
 * @param auth - reads the bearer header at call time
 */
export function caller(harness: () => MpiHarness, auth: () => Record<string, string>): (method: string, url: string, payload?: unknown, headers?: Record<string, string>) => Promise<Res> {
  return async (method, url, payload, headers = {}) => {
    const res = await harness().server.inject({ method, url, payload: payload as object, headers: { ...auth(), ...headers } });
    return { status: res.statusCode, body: (res.payload ? JSON.parse(res.payload) : null) as Json, type: String(res.headers['content-type']), headers: res.headers };
  };
}

/** A registry service over the memory store with the real matching engine. */
export function memoryRegistry(): RegistryService {
  return createRegistryService({
    store: createMemoryRegistryStore(),
    engine: createMatchingEngine(),
    defaultModel: defaultModel(),
    config: { instance: 'test' },
  });
}

/**
 * Build the harness.
 * @param registry - the registry service (memory by default)
 */
export async function mpiHarness(registry: RegistryService = memoryRegistry()): Promise<MpiHarness> {
  const lines: string[] = [];
  const logger = createLogger('debug', new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
  const key = await generateSigningKey('ES256');
  const issuer = new TokenIssuer({ key, issuer: BASE, audience: BASE });
  const audit = new MemoryAuditStore();
  const server = bareServer();
  await server.register([
    { plugin: requestContextPlugin, options: contextOptions(logger) },
    { plugin: errorMapperPlugin, options: { logger } },
    { plugin: authPlugin, options: { mode: 'jwt', logger, verifier: new AccessTokenVerifier({ issuers: [issuer.trusted()] }), rateLimiter: new RateLimiter({ perMinute: 100_000 }) } },
    { plugin: auditPlugin, options: { store: audit, logger, baseUrl: BASE } },
    { plugin: mpiApiPlugin, options: { registry, logger, version: '0.1.0', baseUrl: BASE, identifierSystems: { national_id: 'urn:oid:2.16.686.1.1', hiv: 'urn:passerelle:program:hiv' } } },
  ]);
  // The audit plugin's /fhir/AuditEvent answers errors as the FHIR API does.
  addErrorSurface(server, fhirErrorSurface(new FhirFormats()));
  await server.initialize();
  const auth = async (scopes = ALL_SCOPES, clientId = 'test-client'): Promise<Record<string, string>> =>
    ({ authorization: `Bearer ${(await issuer.issue(clientId, scopes.split(' '))).access_token}` });
  const personAuth = async (userId: string, scopes: string, clientId = 'steward-page'): Promise<Record<string, string>> => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ azp: clientId, scope: scopes })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(BASE).setAudience(BASE).setSubject(userId).setIssuedAt(now).setExpirationTime(now + 300)
      .sign(key.privateKey);
    return { authorization: `Bearer ${token}` };
  };
  return { server, registry, audit, lines, auth, personAuth };
}

/** A registration body. */
export function aPerson(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    first_name: 'Aminata', last_name: 'Diallo', date_of_birth: '1988-04-12', gender: 'F',
    region_code: 'DKR', country_code: 'SN', phone_number: '+221 77 123 45 67', external_ids: { national_id: '1234567890123' },
    ...over,
  };
}
