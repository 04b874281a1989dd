/**
 * Per-registration latency of the registry over a real store, as the registry grows: registers
 * synthetic people one at a time (through `buildRegistryModule`, as the linkage evaluation does) and,
 * at each checkpoint, times the next BENCH_SAMPLE registrations. One JSON line per checkpoint.
 *
 *   BENCH_CHECKPOINTS=1000,5000 BENCH_SAMPLE=50 BENCH_STORE=mongo MONGODB_URI=mongodb://127.0.0.1:27117/ \
 *     node -r @swc-node/register bench/registry-store-timing.ts
 *
 * BENCH_DRAIN_OUTBOX=1 also drains the outbox every 50 registrations with the mediator's relay
 * (read pending events, publish, mark them published), and reports the median drain time since
 * the previous checkpoint: the relay's cost as the registry grows.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from 'mongodb';
import { pino } from 'pino';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/core/logger';
import { buildRegistryModule } from '../src/registry-module';
import type { RegistryModule } from '../src/registry-module';
import type { OutboxRelay } from '../src/events/relay';
import { benchRelay } from './lib/relay';
import { BENCH_SOURCE_SYSTEM, syntheticPatient } from './lib/synthetic';
import { createMongoClient } from '../src/storage/mongo-client';

const ACTOR = { clientId: 'bench-store-timing' };

async function register(m: RegistryModule, i: number): Promise<void> {
  await m.service.registerSource({ patient: syntheticPatient(i), sourceSystem: BENCH_SOURCE_SYSTEM, actor: ACTOR });
}

async function timeSample(m: RegistryModule, from: number, sample: number): Promise<{ meanMs: number; p50Ms: number; maxMs: number }> {
  const ms: number[] = [];
  for (let i = from; i < from + sample; i++) {
    const t = process.hrtime.bigint();
    await register(m, i);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const sorted = [...ms].sort((a, b) => a - b);
  const r = (v: number): number => Math.round(v * 10) / 10;
  return { meanMs: r(ms.reduce((a, b) => a + b, 0) / ms.length), p50Ms: r(sorted[Math.floor(sorted.length / 2)] ?? 0), maxMs: r(sorted[sorted.length - 1] ?? 0) };
}

const DRAIN_EVERY = 50;

/** Drain the outbox with the mediator's relay; returns the time it took in ms. */
async function drain(relay: OutboxRelay): Promise<number> {
  const t = process.hrtime.bigint();
  await relay.flush();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function median(xs: number[]): number {
  return Math.round(([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0) * 10) / 10;
}

async function main(): Promise<void> {
  const checkpoints = (process.env.BENCH_CHECKPOINTS ?? '1000,5000').split(',').map(Number).sort((a, b) => a - b);
  const sample = Number(process.env.BENCH_SAMPLE ?? 50);
  const useMongo = (process.env.BENCH_STORE ?? 'mongo') === 'mongo';
  const client = useMongo ? await createMongoClient(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27117/').connect() : null;
  const db: Db | null = client ? client.db(`passerelle_bench_${randomBytes(6).toString('hex')}`) : null;
  const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'error' });
  const m = buildRegistryModule({ config, logger: createLogger('error', pino.destination(2)), db });
  await m.init();
  const started = Date.now();
  const relay = process.env.BENCH_DRAIN_OUTBOX === '1' ? benchRelay(m.outbox) : null;
  let n = 0;
  try {
    for (const cp of checkpoints) {
      const drains: number[] = [];
      for (; n < cp; n++) {
        await register(m, n);
        if (relay && n % DRAIN_EVERY === DRAIN_EVERY - 1) drains.push(await drain(relay));
      }
      const res = await timeSample(m, n, sample);
      n += sample;
      const drained = relay ? { drainMedianMs: median(drains) } : {};
      console.log(JSON.stringify({ workload: 'registry-store-timing', store: useMongo ? 'mongo' : 'memory', records: cp, sample, ...res, ...drained, elapsedS: Math.round((Date.now() - started) / 1000) }));
    }
  } finally {
    await m.close();
    if (db && process.env.BENCH_KEEP_DB !== '1') await db.dropDatabase();
    await client?.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
