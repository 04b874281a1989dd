/**
 * The mediator at scale (issue 12 item 7): its resident memory with the registry at N records, and
 * restart to ready — `node dist/src/main.js` (as `npm start` runs it) started against an already
 * loaded database, timed until `GET /ready` answers 200. BENCH_RESTARTS starts (default 3); after each
 * start a short use (FHIR reads and searches over HTTP) so the RSS figure is a working one.
 * Goals at 1M: RSS ≤ 1 GB; restart ≤ 60 s.
 *
 * Ceiling, in the same run: the floor of any Node service on this machine and database — a node
 * process that loads the driver, connects it (createMongoClient), pings and answers /ready.
 * p50/p95/p99 are restart-to-ready times (ms); throughput is restarts per minute at p50.
 *
 *   BENCH_N=100000 node -r @swc-node/register bench/mediator-scale.ts
 *
 * dist/ is rebuilt first when any file under src/ is newer than dist/src/main.js.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../test/helpers/fake-openhim-core';
import { closedLoop } from './fhir-common';
import { countingClient, kafkaBrokers, stackStoreSettings } from './lib/mongo';
import { ensurePopulation, personOf } from './lib/population';
import { percentiles, ratio, report, round, spread } from './lib/result';
import { benchSeed, benchSize, sizeLabel } from './lib/sizes';
import { syntheticPatient } from './lib/synthetic';

const ROOT = join(__dirname, '..');
const ENTRY = join(ROOT, 'dist/src/main.js');

function newestUnder(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestUnder(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBuilt(): void {
  if (existsSync(ENTRY) && statSync(ENTRY).mtimeMs >= newestUnder(join(ROOT, 'src'))) return;
  process.stderr.write('[mediator-scale] building dist/ (npm run build)\n');
  const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

/** Resident and peak resident memory of a process, in MB (/proc). */
function memoryOf(pid: number): { rssMB: number; peakMB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rssMB: Math.round(kb('VmRSS') / 1024), peakMB: Math.round(kb('VmHWM') / 1024) };
}

async function untilReady(url: string, child: ChildProcess, started: number, timeoutMs: number): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the process exited with ${String(child.exitCode)} before it was ready`);
    if ((await fetch(`${url}/ready`).then((r) => r.status, () => 0)) === 200) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`not ready within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function stop(child: ChildProcess): Promise<number> {
  const t = performance.now();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;
  return performance.now() - t;
}

/** Start a process on a free port and time it to ready. */
async function startTimed(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; readyMs: number }> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  try {
    return { child, url, readyMs: await untilReady(url, child, started, 300_000) };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

/** A short working load: FHIR reads and PDQm searches under 10 connections (nothing written: the database stays the population of N). */
async function use(url: string, ids: string[], size: number, seed: number): Promise<void> {
  await closedLoop(url, (i) => `/fhir/Patient/${encodeURIComponent(ids[(i * 7919) % ids.length] ?? '')}`, 2000, 10);
  await closedLoop(url, (i) => {
    const p = syntheticPatient(personOf(Math.floor(((i * 7919) % 500) * (size / 500)), seed).person, seed);
    return `/fhir/Patient?family=${encodeURIComponent(p.name?.[0]?.family ?? '')}&birthdate=${p.birthDate ?? ''}`;
  }, 500, 10);
}

// The floor: what any Node service pays to start, load the driver, connect and answer /ready.
const FLOOR = `
const { createMongoClient } = require(process.argv[1]);
const http = require('node:http');
const client = createMongoClient(process.env.MONGODB_URI);
client.connect().then(() => client.db(process.env.MONGODB_DB).command({ ping: 1 })).then(() => {
  http.createServer((req, res) => { res.writeHead(200); res.end('{"status":"ready"}'); }).listen(Number(process.env.PORT), '127.0.0.1');
});
process.on('SIGTERM', () => client.close().then(() => process.exit(0)));
`;

async function main(): Promise<void> {
  const size = benchSize();
  const seed = benchSeed();
  const restarts = Math.max(1, Number(process.env.BENCH_RESTARTS ?? 3));
  ensureBuilt();
  const counter = await countingClient();
  const { db, loadedNow } = await ensurePopulation(counter, size, seed);
  const ids = (await db.collection('registry_records').find({ k: 's' }, { projection: { id: 1 } }).limit(5000).toArray()).map((d) => String(d.id));
  const env = {
    PATH: process.env.PATH, NODE_ENV: 'development', AUTH_MODE: 'none', LOG_LEVEL: 'warn', HOST: '127.0.0.1',
    ...stackStoreSettings(), MONGODB_DB: db.databaseName, KAFKA_BROKERS: kafkaBrokers(),
  };
  const ready: number[] = [];
  const memory: Array<{ atReady: number; afterUse: number; peak: number }> = [];
  const stops: number[] = [];
  for (let r = 0; r < restarts; r++) {
    const { child, url, readyMs } = await startTimed(['--max-semi-space-size=64', ENTRY], env);
    ready.push(readyMs);
    const atReady = memoryOf(child.pid as number).rssMB;
    await use(url, ids, size, seed);
    const after = memoryOf(child.pid as number);
    memory.push({ atReady, afterUse: after.rssMB, peak: after.peakMB });
    stops.push(await stop(child));
    process.stderr.write(`[mediator-scale] start ${r + 1}/${restarts}: ready in ${Math.round(readyMs)} ms, RSS ${atReady} MB at ready, ${after.rssMB} MB after use (peak ${after.peakMB} MB)\n`);
  }
  const floors: number[] = [];
  const floorRss: number[] = [];
  for (let r = 0; r < restarts; r++) {
    const { child, readyMs } = await startTimed(['-e', FLOOR, join(ROOT, 'dist/src/storage/mongo-client.js')], env);
    floors.push(readyMs);
    floorRss.push(memoryOf(child.pid as number).rssMB);
    await stop(child);
  }
  await counter.client.close();
  const pct = percentiles(ready);
  const floorP50 = percentiles(floors).p50;
  const peak = Math.max(...memory.map((m) => m.peak));
  report({
    workload: `mediator-scale-${sizeLabel(size)}`,
    params: {
      registrySize: size, seed, restarts, entry: 'node --max-semi-space-size=64 dist/src/main.js', store: 'mongodb (local stand-in)', populationLoadedHere: loadedNow,
      readyMs: spread(ready), rssAtReadyMB: spread(memory.map((m) => m.atReady)), rssAfterUseMB: spread(memory.map((m) => m.afterUse)), peakRssMB: peak,
      stopMs: spread(stops), floor: { readyMs: spread(floors), rssMB: spread(floorRss), is: 'node + driver: connect, ping, answer /ready' },
      use: '2,000 FHIR reads and 500 PDQm searches (family + birthdate) under 10 connections',
      note: 'p50/p95/p99: restart-to-ready ms over the starts; throughput: restarts per minute at p50; rssMB: the mediator\'s peak RSS; its commands are not monitored (its own client)',
    },
    throughput: round(60_000 / pct.p50, 2), ...pct, rssMB: peak, ceiling: round(60_000 / floorP50, 2), ratioToCeiling: ratio(floorP50, pct.p50), commandsPerRecord: null,
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
