/**
 * The mediator as a process (src/main.ts): invalid configuration, a busy port, and graceful
 * shutdown on SIGTERM while requests are in flight.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { buildStackApp } from '../../helpers/stack-app';

jest.setTimeout(60000);
const root = join(__dirname, '..', '..', '..');

function startMain(env: Record<string, string>): { proc: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

const devEnv = (port: number): Record<string, string> => ({
  NODE_ENV: 'development', AUTH_MODE: 'none', PORT: String(port), HOST: '127.0.0.1',
  MONGODB_URI: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27117/', KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092',
  MONGODB_DB: 'passerelle_it_process',
});

async function waitFor(url: string, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not answering`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('src/main.ts', () => {
  it('exits 2 listing every configuration problem at once', async () => {
    const m = startMain({ PORT: 'x', LOG_LEVEL: 'loud', AUTH_MODE: 'none' });
    expect(await m.exited).toBe(2);
    const out = m.output();
    for (const k of ['PORT', 'LOG_LEVEL', 'MONGODB_URI', 'KAFKA_BROKERS']) expect(out).toContain(k);
  });

  it('names the port and the variable when the port is busy', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const m = startMain(devEnv(port));
      expect(await m.exited).toBe(1);
      expect(m.output()).toContain(`Port ${port} on 127.0.0.1 is already in use; set PORT to a free port.`);
    } finally {
      blocker.close();
    }
  });

  it('stops cleanly with exit 0 on SIGTERM', async () => {
    const port = 3900 + Math.floor(Math.random() * 90);
    const m = startMain(devEnv(port));
    await waitFor(`http://127.0.0.1:${port}/ready`);
    m.proc.kill('SIGTERM');
    expect(await m.exited).toBe(0);
    expect(m.output()).toContain('Passerelle stopped');
  });
});

describe('App.stop()', () => {
  it('lets an in-flight request finish before closing', async () => {
    const s = await buildStackApp({ PORT: '0', HOST: '127.0.0.1' }, { listen: true });
    s.app.server.route({ method: 'GET', path: '/test/slow', options: { plugins: { passerelle: { public: true } } }, handler: async () => {
      await new Promise((r) => setTimeout(r, 500));
      return { done: true };
    } });
    const pending = fetch(`${s.app.server.info.uri}/test/slow`).then(async (r) => ({ status: r.status, body: (await r.json()) }));
    await new Promise((r) => setTimeout(r, 100));
    const stopped = s.close();
    expect(await pending).toEqual({ status: 200, body: { done: true } });
    await stopped;
    await expect(fetch(`${s.app.server.info.uri}/health`)).rejects.toThrow();
  });
});
