/**
 * Shared pieces of the HTTP benchmarks: the whole mediator (`createApp`, every store on the local
 * stack's MongoDB through one counting client, AUTH_MODE none, events to the stack's Kafka) on a
 * loopback port, and a closed-loop load generator (a child process) holding `connections`
 * keep-alive sockets.
 */
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import type { Db } from 'mongodb';
import { createApp } from '../src/app';
import type { App } from '../src/app';
import { MongoAuditStore } from '../src/audit/mongo';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/core/logger';
import { MongoClientStore } from '../src/http/auth/mongo-clients';
import { MongoPractitionerStore } from '../src/practitioners/mongo-store';
import { buildRegistryModule } from '../src/registry-module';
import { freePort } from '../test/helpers/fake-openhim-core';
import { kafkaBrokers, stackStoreSettings } from './lib/mongo';

/**
 * The mediator over `db` (registry, audit, clients and practitioners all there), listening on a
 * loopback port, started and ready.
 * @param db - a database of the counting client, holding the registry
 */
export async function mediatorOver(db: Db): Promise<{ app: App; url: string }> {
  const port = await freePort();
  const config = loadConfig({
    NODE_ENV: 'development', AUTH_MODE: 'none', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port),
    ...stackStoreSettings(), MONGODB_DB: db.databaseName, KAFKA_BROKERS: kafkaBrokers(),
  });
  const logger = createLogger('warn', new Writable({ write(_c, _e, cb): void { cb(); } }));
  const app = await createApp(config, {
    logger, registry: buildRegistryModule({ config, logger, db }), audit: new MongoAuditStore(db), clients: new MongoClientStore(db), practitioners: new MongoPractitionerStore(db),
  });
  await app.start();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if ((await fetch(`${url}/ready`).then((r) => r.status, () => 0)) === 200) return { app, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the mediator did not become ready within 60 s');
}

// The load generator runs in a child process, as a real client would: it shares the machine's cores
// but not the server's process (heap, GC helper threads), and the server's own CPU time per request
// can be read off process.cpuUsage(). It is autocannon (pre-built request buffers, one parser per
// socket): Node's own http client costs several times more CPU per request, and on a 2-core machine
// that CPU is taken from the server.
const LOAD_GENERATOR = `
const autocannon = require(process.argv[1]);
process.once('message', ({ url, paths, connections, timeout }) => {
  const samples = [];
  let next = 0;
  let errors = 0;
  let firstError = null;
  const started = performance.now();
  // autocannon calls back on its one-second ticker, not at the last response: time the run to the
  // last response instead, or throughput comes out quantised to N / whole seconds.
  let lastResponseAt = started;
  const instance = autocannon({
    url, connections, amount: paths.length, timeout,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
  }, (err) => {
    process.send({ samples, seconds: (lastResponseAt - started) / 1000, fatal: err ? String(err.message) : null, errors, firstError }, () => process.exit(0));
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status !== 200) { errors++; firstError = firstError || 'status ' + status; }
    samples.push(ms);
    lastResponseAt = performance.now();
  });
  instance.on('reqError', (err) => { errors++; firstError = firstError || String(err.message); });
});
`;

/** One closed-loop run: per-request latencies (ms), wall seconds, and this process's CPU µs per request. */
export interface LoadRun {
  samples: number[];
  seconds: number;
  serverCpuUsPerRequest: number;
  /** Requests that failed (a status other than 200, a timeout, a socket error) and the first reason. */
  errors: number;
  firstError: string | null;
}

/** How long one request may take before it counts as failed (BENCH_HTTP_TIMEOUT_S, default 60 s). */
const REQUEST_TIMEOUT_S = Number(process.env.BENCH_HTTP_TIMEOUT_S ?? 60);

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
  type Reply = { samples: number[]; seconds: number; fatal: string | null; errors: number; firstError: string | null };
  const result = await new Promise<Reply>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Reply));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load generator exited with ${String(code)} before reporting`)));
    child.send({ url, paths: Array.from({ length: total }, (_, i) => paths(i)), connections, timeout: REQUEST_TIMEOUT_S });
  });
  const cpu = process.cpuUsage(cpuBefore);
  await exited;
  if (result.fatal) throw new Error(result.fatal);
  return { samples: result.samples, seconds: result.seconds, serverCpuUsPerRequest: Math.round(((cpu.user + cpu.system) / total) * 10) / 10, errors: result.errors, firstError: result.firstError };
}
