/**
 * Shared pieces of the FHIR benchmarks: a FHIR server (request context + FHIR plugin over the
 * memory registry) on a loopback port, a registry of BENCH_N synthetic people registered through
 * the registry service, and a closed-loop load generator (a child process) holding `connections`
 * keep-alive sockets.
 */
import { Writable } from 'node:stream';
import { spawn } from 'node:child_process';
import Hapi from '@hapi/hapi';
import type { Server } from '@hapi/hapi';
import { Counter, Histogram, Registry } from 'prom-client';
import { createLogger } from '../src/core/logger';
import { fhirPlugin } from '../src/fhir/plugin';
import { MemoryPractitionerStore } from '../src/practitioners/memory-store';
import { errorMapperPlugin } from '../src/http/errors';
import { requestContextPlugin } from '../src/http/request-context';
import { createMatchingEngine, defaultModel } from '../src/registry/matching';
import { createMemoryRegistryStore } from '../src/registry/memory/memory-store';
import { createRegistryService } from '../src/registry/service';
import type { RegistryService } from '../src/registry/ports';
import { benchRelay } from './lib/relay';
import { syntheticPatient } from './lib/synthetic';
import { bundledTerminologyDir, loadTerminology } from '../src/terminology/load';
import { createTerminologyService } from '../src/terminology/service';

/** A FHIR server over a registry of `size` people; returns source ids for reads. */
export async function fhirBenchServer(size: number): Promise<{ server: Server; url: string; registry: RegistryService; ids: string[] }> {
  const store = createMemoryRegistryStore();
  const registry = createRegistryService({ store, engine: createMatchingEngine({ defaultCountry: 'SN' }), defaultModel: defaultModel(), config: { instance: 'bench' } });
  // A running deployment's relay publishes each change's events and retires the change; without it
  // the registry would hold every registration's events, a state production reaches only when the
  // broker has been down for the whole load — and a heap near its limit, whose GC dominates the tail.
  const relay = benchRelay(store.outbox);
  const ids: string[] = [];
  const actor = { clientId: 'bench' };
  for (let i = 0; i < size; i++) {
    ids.push((await registry.registerSource({ patient: syntheticPatient(i), sourceSystem: 'bench', actor })).source.id);
    if (i % 1000 === 999) await relay.flush();
  }
  await relay.flush();
  const server = Hapi.server({ host: '127.0.0.1', port: 0, debug: false });
  const metrics = new Registry();
  const logger = createLogger('warn', new Writable({ write(_c, _e, cb): void { cb(); } }));
  await server.register([
    { plugin: requestContextPlugin, options: { logger, requests: new Counter({ name: 'r', help: 'r', labelNames: ['method', 'route', 'status'] as const, registers: [metrics] }), durations: new Histogram({ name: 'd', help: 'd', labelNames: ['method', 'route'] as const, registers: [metrics] }) } },
    { plugin: errorMapperPlugin, options: { logger } },
  ]);
  await server.start();
  const url = server.info.uri;
  await server.register({ plugin: fhirPlugin, options: { registry, practitioners: new MemoryPractitionerStore(), terminology: createTerminologyService(loadTerminology([bundledTerminologyDir()])), baseUrl: `${url}/fhir` } });
  return { server, url, registry, ids };
}

// The load generator runs in a child process, as a real client would: it shares the machine's cores
// but not the server's process (heap, GC helper threads), and the server's own CPU time per request
// can be read off process.cpuUsage(). It is autocannon (pre-built request buffers, one parser per
// socket): Node's own http client costs several times more CPU per request, and on a 2-core machine
// that CPU is taken from the server.
const LOAD_GENERATOR = `
const autocannon = require(process.argv[1]);
process.once('message', ({ url, paths, connections }) => {
  const samples = [];
  let next = 0;
  let failed = null;
  const started = performance.now();
  // autocannon calls back on its one-second ticker, not at the last response: time the run to the
  // last response instead, or throughput comes out quantised to N / whole seconds.
  let lastResponseAt = started;
  const instance = autocannon({
    url, connections, amount: paths.length, timeout: 30,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
  }, (err) => {
    process.send({ samples, seconds: (lastResponseAt - started) / 1000, failed: err ? String(err.message) : failed }, () => process.exit(0));
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status !== 200 && !failed) failed = 'status ' + status;
    samples.push(ms);
    lastResponseAt = performance.now();
  });
  instance.on('reqError', (err) => { failed = failed || String(err.message); });
});
`;

/** One closed-loop run: per-request latencies (ms), wall seconds, and this process's CPU µs per request. */
export interface LoadRun {
  samples: number[];
  seconds: number;
  serverCpuUsPerRequest: number;
}

/**
 * Closed-loop load from a child process: `connections` keep-alive connections send requests back to back.
 * @param url - origin (http://host:port)
 * @param paths - path of the i-th request
 * @param total - number of requests
 * @param connections - concurrent keep-alive connections
 */
export async function closedLoop(url: string, paths: (i: number) => string, total: number, connections: number): Promise<LoadRun> {
  const child = spawn(process.execPath, ['-e', LOAD_GENERATOR, require.resolve('autocannon')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cpuBefore = process.cpuUsage();
  const result = await new Promise<{ samples: number[]; seconds: number; failed: string | null }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { samples: number[]; seconds: number; failed: string | null }));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load generator exited with ${String(code)} before reporting`)));
    child.send({ url, paths: Array.from({ length: total }, (_, i) => paths(i)), connections });
  });
  const cpu = process.cpuUsage(cpuBefore);
  await exited;
  if (result.failed) throw new Error(result.failed);
  return { samples: result.samples, seconds: result.seconds, serverCpuUsPerRequest: Math.round(((cpu.user + cpu.system) / total) * 10) / 10 };
}
