/**
 * Shared pieces of the MPI/auth benchmarks: percentile summary in the contracts.md §5 shape, a bare
 * node:http ceiling, and a Passerelle server (auth + audit + MPI API over the memory registry).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Hapi from '@hapi/hapi';
import type { Server } from '@hapi/hapi';
import { Counter, Histogram, Registry } from 'prom-client';
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
import { createMatchingEngine, defaultModel } from '../src/registry/matching';
import { createMemoryRegistryStore } from '../src/registry/memory/memory-store';
import { createRegistryService } from '../src/registry/service';
import { NATIONAL_ID_SYSTEM, syntheticPatient } from './lib/synthetic';

/** One benchmark result (contracts.md §5). */
export interface BenchResult {
  workload: string;
  params: Record<string, unknown>;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  rssMB: number;
  ceiling: number | null;
  ratioToCeiling: number | null;
}

/**
 * Latency percentiles (ms) of samples.
 * @param samples - durations in ms
 */
export function percentiles(samples: number[]): { p50: number; p95: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => Math.round((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0) * 1000) / 1000;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

/**
 * Time `n` sequential runs of `fn`.
 * @param n - iterations
 * @param fn - the operation (gets the iteration number)
 */
export async function timeRuns(n: number, fn: (i: number) => Promise<unknown>): Promise<{ samples: number[]; seconds: number }> {
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    samples.push(performance.now() - t);
  }
  return { samples, seconds: (performance.now() - started) / 1000 };
}

/**
 * Write a result under bench/results/ and print it.
 * @param result - the result
 */
export function report(result: BenchResult): void {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${result.workload}.json`), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result));
}

/** Resident memory in MB. */
export function rssMB(): number {
  return Math.round(process.memoryUsage().rss / 1048576);
}

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

/** Passerelle's HTTP stack on a loopback port, with a token for every scope. */
export async function passerelleServer(): Promise<{ server: Server; url: string; token: string; issuer: TokenIssuer; verifier: AccessTokenVerifier }> {
  const logger = createLogger('warn', new Writable({ write(_c, _e, cb) { cb(); } }));
  const metrics = new Registry();
  const key = await generateSigningKey('ES256');
  const server = Hapi.server({ host: '127.0.0.1', port: 0, debug: false });
  const url = 'http://127.0.0.1';
  const issuer = new TokenIssuer({ key, issuer: url, audience: url });
  const verifier = new AccessTokenVerifier({ issuers: [issuer.trusted()] });
  const registry = createRegistryService({ store: createMemoryRegistryStore(), engine: createMatchingEngine(), defaultModel: defaultModel(), config: { instance: 'bench' } });
  await server.register([
    { plugin: requestContextPlugin, options: { logger, requests: new Counter({ name: 'r', help: 'r', labelNames: ['method', 'route', 'status'] as const, registers: [metrics] }), durations: new Histogram({ name: 'd', help: 'd', labelNames: ['method', 'route'] as const, registers: [metrics] }) } },
    { plugin: errorMapperPlugin, options: { logger } },
    { plugin: authPlugin, options: { mode: 'jwt', logger, verifier, rateLimiter: new RateLimiter({ perMinute: 10_000_000 }) } },
    { plugin: auditPlugin, options: { store: new MemoryAuditStore(), logger, baseUrl: url } },
    { plugin: mpiApiPlugin, options: { registry, logger, version: 'bench', baseUrl: url } },
  ]);
  await server.start();
  const token = (await issuer.issue('bench', ['system/Patient.read', 'system/Patient.write'])).access_token;
  return { server, url: server.info.uri, token, issuer, verifier };
}

/**
 * A synthetic, distinct person for registration number `i`, as an /mpi/register body (the same
 * seeded people as the FHIR benchmarks, bench/lib/synthetic.ts).
 * @param i - sequence number
 */
export function syntheticPerson(i: number): Record<string, unknown> {
  const p = syntheticPatient(i);
  const nid = p.identifier?.find((id) => id.system === NATIONAL_ID_SYSTEM)?.value ?? '';
  return {
    first_name: p.name?.[0]?.given?.[0], last_name: p.name?.[0]?.family, date_of_birth: p.birthDate,
    gender: p.gender === 'female' ? 'F' : 'M', region_code: 'DKR', country_code: 'SN',
    phone_number: p.telecom?.[0]?.value, external_ids: { national_id: nid },
  };
}
