/**
 * A real OpenHIM Core: `openhim-core` 4.0.5, the only Core the npm registry serves (v6–v8 ship as
 * Docker images only, openhim.md §1), run as a child process against the local stack's MongoDB stand-in.
 *
 * It is installed once per user, like the stack's other parts (`$PASSERELLE_CACHE`, default
 * `~/.cache/passerelle/openhim-core-4.0.5`), with one override: mongoose 5.13 instead of 4.x. Core 4
 * ships mongoose 4 over mongodb driver 2.2, which sends commands with the legacy OP_QUERY opcode; the
 * stand-in answers an OP_QUERY `find` without its `firstBatch`, so every read comes back empty (the
 * keystore "does not exist", the API's TLS server has no certificate and refuses every handshake).
 * mongoose 5.13 speaks OP_MSG and Core 4.0.5 runs on it unchanged, except one typo its old driver never
 * checked (`primaryPreffered`, set right in the config below). Agenda, which runs polling channels,
 * keeps driver 2.2, so polling channels do not run here.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './fake-openhim-core';

const VERSION = '4.0.5';
const dir = join(process.env.PASSERELLE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'passerelle'), `openhim-core-${VERSION}`);

/** Install openhim-core 4.0.5 (with mongoose 5.13) into the per-user cache unless it is there; returns its directory. */
export function ensureOpenhimCore4(): string {
  const pkg = join(dir, 'node_modules', 'openhim-core');
  if (existsSync(join(pkg, 'lib', 'server.js')) && existsSync(join(dir, 'node_modules', 'mongoose', 'package.json'))) return pkg;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name: 'passerelle-openhim-core-4', private: true, dependencies: { 'openhim-core': VERSION }, overrides: { mongoose: '5.13.22' },
  }, null, 2));
  execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: 'inherit', timeout: 600_000 });
  return pkg;
}

export interface RunningCore {
  apiUrl: string;
  routerUrl: string;
  log: () => string;
  stop(): Promise<void>;
}

async function waitForApi(apiUrl: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`openhim-core exited (${child.exitCode}):\n${log().slice(-2000)}`);
    const up = await fetchInsecure(`${apiUrl}/heartbeat`).then((s) => s === 200, () => false);
    if (up) return;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`openhim-core's API did not answer within 60 s:\n${log().slice(-2000)}`);
}

/** GET over HTTPS accepting Core's generated self-signed certificate; resolves with the status. */
async function fetchInsecure(url: string): Promise<number> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Start Core on free loopback ports against a fresh database of the stack's MongoDB.
 * @param mongoUri - the stack's MongoDB URI (host and port are kept; the database is Core's own)
 * @param database - Core's database name
 * @param apiPort - the API's port, when a mediator already waits on it (else a free one)
 */
export async function startOpenhimCore4(mongoUri: string, database: string, apiPort?: number): Promise<RunningCore> {
  const pkg = ensureOpenhimCore4();
  const [api, http, https, rerun, tcp, polling] = await Promise.all([apiPort ?? freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  const mongo = new URL(mongoUri);
  const url = (db: string): string => `mongodb://${mongo.host}/${db}?directConnection=true`;
  const conf = {
    bindAddress: '127.0.0.1',
    mongo: { url: url(database), atnaUrl: url(`${database}_atna`), openHIMApiReadPreference: 'primaryPreferred', connectionOptions: {} },
    logger: { level: 'info', logToDB: false },
    router: { externalHostname: '127.0.0.1', httpPort: http, httpsPort: https, timeout: 30_000 },
    api: { enabled: true, httpsPort: api, authWindowSeconds: 10, maxBodiesSizeMB: 15, maxPayloadSizeMB: 50, truncateSize: 15_000, truncateAppend: '\n[truncated ...]' },
    rerun: { httpPort: rerun, host: '127.0.0.1', processor: { enabled: false, pollPeriodMillis: 2000 } },
    tcpAdapter: { httpReceiver: { httpPort: tcp, host: '127.0.0.1' } },
    polling: { enabled: false, pollingPort: polling, host: '127.0.0.1' },
    alerts: { enableAlerts: false }, reports: { enableReports: false }, bodyCull: { enabled: false },
  };
  const confFile = join(dir, `conf-${database}.json`);
  writeFileSync(confFile, JSON.stringify(conf));
  let output = '';
  // Its own process group, so stop() ends Core's cluster worker with it.
  const child = spawn(process.execPath, ['lib/server.js', `--conf=${confFile}`], { cwd: pkg, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const log = (): string => output;
  const apiUrl = `https://127.0.0.1:${api}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(-child.pid, 'SIGTERM');
    const killer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(killer);
  };
  try {
    await waitForApi(apiUrl, child, log);
  } catch (err) {
    await stop();
    throw err;
  }
  return { apiUrl, routerUrl: `http://127.0.0.1:${http}`, log, stop };
}
