/**
 * Shared pieces of the MPI/auth benchmarks: a bare node:http ceiling, and a Passerelle server (auth +
 * audit + MPI API) whose registry is the real MongoDB store on the local stack (or none, for the
 * auth workloads that never reach it).
 */
import { createServer } from 'node:http';
import type { Patient } from 'fhir/r4';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import Hapi from '@hapi/hapi';
import type { Db } from 'mongodb';
import type { Server } from '@hapi/hapi';
import { Counter, Histogram, Registry } from 'prom-client';
import { MongoAuditStore } from '../src/audit/mongo';
import { MemoryAuditStore } from '../src/audit/memory';
import { auditPlugin } from '../src/audit/plugin';
import { createLogger } from '../src/core/logger';
import { errorMapperPlugin } from '../src/http/errors';
import { requestContextPlugin } from '../src/http/request-context';
import { RateLimiter } from '../src/http/rate-limit';
import { TokenIssuer } from '../src/http/auth/issuer';
import { generateSigningKey } from '../src/http/auth/keys';
import { authPlugin } from '../src/http/auth/plugin';
import { AccessTokenVerifier } from '../src/http/auth/verifier';
import { mpiApiPlugin } from '../src/mpi-api/plugin';
import type { RegistryModule } from '../src/registry-module';
import { countingClient } from './lib/mongo';
import type { CountingClient } from './lib/mongo';
import { benchRegistry, ensurePopulation } from './lib/population';
import { benchSeed } from './lib/sizes';
import { NATIONAL_ID_SYSTEM } from './lib/synthetic';

/**
 * A bare node:http server answering a small JSON body: the read ceiling.
 * @param costUs - CPU time to burn per request, in µs (read at each request; none by default)
 */
export async function bareHttpCeiling(costUs: () => number = () => 0): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    const cost = costUs();
    if (cost > 0) {
      const end = performance.now() + cost / 1000;
      while (performance.now() < end) {
        // burn the request's CPU budget (bench/latency-floor.ts)
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * Passerelle's HTTP stack on a loopback port, with a token for every scope.
 * @param backend - the registry the MPI API serves and its database (the audit trail goes there too);
 *   null for the auth workloads, which never reach a registry
 */
export async function passerelleServer(backend: { registry: RegistryModule; db: Db } | null): Promise<{ server: Server; url: string; token: string; issuer: TokenIssuer; verifier: AccessTokenVerifier }> {
  const logger = createLogger('warn', new Writable({ write(_c, _e, cb) { cb(); } }));
  const metrics = new Registry();
  const key = await generateSigningKey('ES256');
  const server = Hapi.server({ host: '127.0.0.1', port: 0, debug: false });
  const url = 'http://127.0.0.1';
  const issuer = new TokenIssuer({ key, issuer: url, audience: url });
  const verifier = new AccessTokenVerifier({ issuers: [issuer.trusted()] });
  await server.register([
    { plugin: requestContextPlugin, options: { logger, requests: new Counter({ name: 'r', help: 'r', labelNames: ['method', 'route', 'status'] as const, registers: [metrics] }), durations: new Histogram({ name: 'd', help: 'd', labelNames: ['method', 'route'] as const, registers: [metrics] }) } },
    { plugin: errorMapperPlugin, options: { logger } },
    { plugin: authPlugin, options: { mode: 'jwt', logger, verifier, rateLimiter: new RateLimiter({ perMinute: 10_000_000 }) } },
    { plugin: auditPlugin, options: { store: backend ? new MongoAuditStore(backend.db) : new MemoryAuditStore(), logger, baseUrl: url } },
  ]);
  if (backend) await server.register({ plugin: mpiApiPlugin, options: { registry: backend.registry.service, logger, version: 'bench', baseUrl: url } });
  await server.start();
  const token = (await issuer.issue('bench', ['system/Patient.read', 'system/Patient.write'])).access_token;
  return { server, url: server.info.uri, token, issuer, verifier };
}

/**
 * A generated patient as an /mpi/register body, its national ID under the population's system URI
 * (so a person already registered through the bulk path is recognised by it).
 * @param p - a generated patient (bench/lib/synthetic.ts)
 */
export function mpiBody(p: Patient): Record<string, unknown> {
  const nid = p.identifier?.find((id) => id.system === NATIONAL_ID_SYSTEM)?.value ?? '';
  return {
    first_name: p.name?.[0]?.given?.[0], last_name: p.name?.[0]?.family, date_of_birth: p.birthDate,
    gender: p.gender === 'female' ? 'F' : 'M', region_code: 'DKR', country_code: 'SN',
    ...(p.telecom?.[0]?.value ? { phone_number: p.telecom[0].value } : {}), external_ids: { [NATIONAL_ID_SYSTEM]: nid },
  };
}

/** An MPI benchmark's setting: the population registry of BENCH_MPI_N records served over HTTP. */
export interface MpiBench {
  size: number;
  requests: number;
  seed: number;
  counter: CountingClient;
  db: Db;
  url: string;
  token: string;
  close(): Promise<void>;
}

/**
 * The population registry of BENCH_MPI_N records (default 2,000; loaded through the bulk path when
 * not kept) behind Passerelle's HTTP stack.
 * @param defaultRequests - requests per phase unless BENCH_REQUESTS says otherwise
 */
export async function mpiBench(defaultRequests: number): Promise<MpiBench> {
  const size = Number(process.env.BENCH_MPI_N ?? 2000);
  const seed = benchSeed();
  const counter = await countingClient();
  const { db } = await ensurePopulation(counter, size, seed);
  const registry = benchRegistry(db);
  await registry.init();
  const p = await passerelleServer({ registry, db });
  const close = async (): Promise<void> => {
    await p.server.stop();
    await registry.close();
    await counter.client.close();
  };
  return { size, requests: Number(process.env.BENCH_REQUESTS ?? defaultRequests), seed, counter, db, url: p.url, token: p.token, close };
}
