/**
 * Shared pieces of the FHIR benchmarks: a FHIR server (request context + FHIR plugin over the
 * memory registry) on a loopback port, a registry of BENCH_N synthetic people registered through
 * the registry service, and a closed-loop load generator holding `connections` keep-alive sockets.
 */
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import Hapi from '@hapi/hapi';
import type { Server } from '@hapi/hapi';
import { Counter, Histogram, Registry } from 'prom-client';
import { createLogger } from '../src/core/logger';
import { fhirPlugin } from '../src/fhir/plugin';
import { requestContextPlugin } from '../src/http/request-context';
import { createMatchingEngine, defaultModel } from '../src/registry/matching';
import { createMemoryRegistryStore } from '../src/registry/memory/memory-store';
import { createRegistryService } from '../src/registry/service';
import type { RegistryService } from '../src/registry/ports';
import { syntheticPatient } from './lib/synthetic';
import { bundledTerminologyDir, loadTerminology } from '../src/terminology/load';
import { createTerminologyService } from '../src/terminology/service';

/** A FHIR server over a registry of `size` people; returns source ids for reads. */
export async function fhirBenchServer(size: number): Promise<{ server: Server; url: string; registry: RegistryService; ids: string[] }> {
  const registry = createRegistryService({ store: createMemoryRegistryStore(), engine: createMatchingEngine({ defaultCountry: 'SN' }), defaultModel: defaultModel(), config: { instance: 'bench' } });
  const ids: string[] = [];
  const actor = { clientId: 'bench' };
  for (let i = 0; i < size; i++) ids.push((await registry.registerSource({ patient: syntheticPatient(i), sourceSystem: 'bench', actor })).source.id);
  const server = Hapi.server({ host: '127.0.0.1', port: 0, debug: false });
  const metrics = new Registry();
  const logger = createLogger('warn', new Writable({ write(_c, _e, cb): void { cb(); } }));
  await server.register([
    { plugin: requestContextPlugin, options: { logger, requests: new Counter({ name: 'r', help: 'r', labelNames: ['method', 'route', 'status'] as const, registers: [metrics] }), durations: new Histogram({ name: 'd', help: 'd', labelNames: ['method', 'route'] as const, registers: [metrics] }) } },
  ]);
  await server.start();
  const url = server.info.uri;
  await server.register({ plugin: fhirPlugin, options: { registry, terminology: createTerminologyService(loadTerminology([bundledTerminologyDir()])), baseUrl: `${url}/fhir` } });
  return { server, url, registry, ids };
}

// The load generator runs in a worker thread so that it does not share the server's event loop.
const LOAD_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { Agent, request } = require('node:http');
const { url, paths, connections } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const samples = [];
let next = 0;
let failed = null;
const one = (path) => new Promise((resolve, reject) => {
  const req = request(url + path, { agent }, (res) => {
    res.on('data', () => undefined);
    res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(path + ' returned ' + res.statusCode))));
  });
  req.on('error', reject);
  req.end();
});
const worker = async () => {
  while (next < paths.length && !failed) {
    const i = next++;
    const t = performance.now();
    try { await one(paths[i]); } catch (e) { failed = e.message; }
    samples.push(performance.now() - t);
  }
};
const started = performance.now();
Promise.all(Array.from({ length: connections }, worker)).then(() => {
  agent.destroy();
  parentPort.postMessage({ samples, seconds: (performance.now() - started) / 1000, failed });
});
`;

/**
 * Closed-loop load from a worker thread: `connections` keep-alive connections send requests back to back.
 * @param url - origin (http://host:port)
 * @param paths - path of the i-th request
 * @param total - number of requests
 * @param connections - concurrent keep-alive connections
 */
export async function closedLoop(url: string, paths: (i: number) => string, total: number, connections: number): Promise<{ samples: number[]; seconds: number }> {
  const worker = new Worker(LOAD_WORKER, { eval: true, workerData: { url, paths: Array.from({ length: total }, (_, i) => paths(i)), connections } });
  const result = await new Promise<{ samples: number[]; seconds: number; failed: string | null }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await worker.terminate();
  if (result.failed) throw new Error(result.failed);
  return result;
}
