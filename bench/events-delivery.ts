/**
 * Events on the real stack (contracts.md §5, "ingest → Kafka event delay"), two results:
 *
 * - `event-delay`: registrations at a sustained 200/s (open loop, BENCH_EVENT_RATE, BENCH_EVENT_SECONDS)
 *   through the registry service on MongoDB, each timed from its start to the moment a Kafka consumer
 *   sees its event (p50/p95/p99), beside the store's own write latency in the same run (the
 *   registration call) and a raw kafkajs produce → consume round trip at the same rate.
 * - `event-relay-throughput`: a backlog of BENCH_RELAY_EVENTS events drained by the mediator's relay
 *   (outbox read, publish with acks=all, bookkeeping) in events/s, against the same messages sent by a
 *   raw batched kafkajs producer with acks=all in the same run (the ceiling).
 *
 * Needs the local stack (`npm run stack:up`; reads .stack/env when MONGODB_URI/KAFKA_BROKERS are unset).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Kafka, logLevel } from 'kafkajs';
import type { Consumer } from 'kafkajs';
import { createApp } from '../src/app';
import type { App } from '../src/app';
import { loadConfig } from '../src/config';
import { isMediatorError } from '../src/core/errors';
import { createLogger } from '../src/core/logger';
import { batchesOf } from '../src/events/kafka';
import { OutboxRelay } from '../src/events/relay';
import { createMongoClient } from '../src/storage/mongo-client';
import { stackStoreSettings } from './lib/mongo';
import { percentiles, report, rssMB } from './lib/result';
import { syntheticPatient } from './lib/synthetic';

function stackEnv(): void {
  const file = join(__dirname, '..', '.stack', 'env');
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m && !process.env[m[1] as string]) process.env[m[1] as string] = m[2];
  }
}

const run = randomUUID().slice(0, 8);
const quiet = createLogger('warn', new Writable({ write(_c, _e, cb): void { cb(); } }));

async function buildApp(kafkaBrokers: string): Promise<{ app: App; topic: string }> {
  const db = `passerelle_bench_events_${run}`;
  const topic = `bench.${run}.patient`;
  const config = loadConfig({
    NODE_ENV: 'development', AUTH_MODE: 'none', LOG_LEVEL: 'warn', ...stackStoreSettings(), MONGODB_DB: db,
    KAFKA_BROKERS: kafkaBrokers, KAFKA_TOPIC_PATIENT: topic, KAFKA_TOPIC_REVIEW: `bench.${run}.review`, KAFKA_TOPIC_PRACTITIONER: `bench.${run}.practitioner`,
    KAFKA_TOPIC_DLQ: `bench.${run}.dlq`, KAFKA_TOPIC_PARTITIONS: '3',
  });
  const app = await createApp(config, { logger: quiet, listen: false });
  await app.start();
  for (let i = 0; i < 600 && ((await app.server.inject('/ready')).result as { status: string }).status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 100));
  return { app, topic };
}

/** A consumer of `topic` calling `seen(transactionId, at)` for each message. */
async function watch(kafka: Kafka, topic: string, seen: (tx: string, at: number) => void): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId: `bench-${randomUUID()}`, maxWaitTimeInMs: 5, minBytes: 1 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => seen(message.headers?.['x-openhim-transactionid']?.toString() ?? '', performance.now()) });
  await new Promise((r) => setTimeout(r, 3000));
  return consumer;
}

/** Open loop: start `rate` operations per second for `seconds`, each timed; waits for all. */
async function openLoop(rate: number, seconds: number, op: (i: number) => Promise<void>): Promise<void> {
  const started = performance.now();
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < rate * seconds; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(op(i));
  }
  await Promise.all(pending);
}

async function delay(kafka: Kafka, kafkaBrokers: string): Promise<void> {
  const rate = Number(process.env.BENCH_EVENT_RATE ?? 200);
  const seconds = Number(process.env.BENCH_EVENT_SECONDS ?? 30);
  const { app, topic } = await buildApp(kafkaBrokers);
  const startedAt = new Map<string, number>();
  const writes: number[] = [];
  const delays: number[] = [];
  const done = new Map<string, () => void>();
  // A registration the registry turns away under overload ("registry busy": leases held too long on a
  // saturated machine) is counted, not fatal: the figure says how many of the load were refused.
  let refused = 0;
  const consumer = await watch(kafka, topic, (tx, at) => {
    const t0 = startedAt.get(tx);
    if (t0 === undefined) return;
    delays.push(at - t0);
    startedAt.delete(tx);
    done.get(tx)?.();
  });
  const began = performance.now();
  await openLoop(rate, seconds, async (i) => {
    const tx = `bench-${i}`;
    const visible = new Promise<void>((r) => done.set(tx, r));
    const t0 = performance.now();
    startedAt.set(tx, t0);
    try {
      await app.registry.service.registerSource({ patient: syntheticPatient(i, 7), sourceSystem: 'bench', actor: { clientId: 'bench', transactionId: tx } });
    } catch (err) {
      if (!isMediatorError(err) || err.code !== 'unavailable') throw err;
      refused += 1;
      startedAt.delete(tx);
      return;
    }
    writes.push(performance.now() - t0);
    await Promise.race([visible, new Promise((r) => setTimeout(r, 60000))]);
  });
  const wall = (performance.now() - began) / 1000;
  await consumer.disconnect();
  const raw = await rawRoundTrip(kafka, rate, Math.min(seconds, 10));
  const d = percentiles(delays);
  const w = percentiles(writes);
  report({
    workload: 'event-delay',
    params: { rate, seconds, registrations: rate * seconds, refused, delivered: delays.length, store: 'mongodb (local stand-in)', storeWrite: w, aboveStoreWriteP50: Math.round((d.p50 - w.p50) * 1000) / 1000, rawKafkaRoundTrip: raw, sharedMachine: true },
    throughput: Math.round(delays.length / wall), ...d, rssMB: rssMB(), ceiling: null, ratioToCeiling: null, commandsPerRecord: null,
  });
  await app.stop();
}

/** A raw produce (acks=all) → consume round trip at `rate`/s: what Kafka itself costs per event here. */
async function rawRoundTrip(kafka: Kafka, rate: number, seconds: number): Promise<{ p50: number; p95: number; p99: number }> {
  const topic = `bench.${run}.raw`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3 }] });
  await admin.disconnect();
  const sent = new Map<string, number>();
  const samples: number[] = [];
  const consumer = await watch(kafka, topic, (tx, at) => {
    const t0 = sent.get(tx);
    if (t0 !== undefined) samples.push(at - t0);
  });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await openLoop(rate, seconds, async (i) => {
    const tx = `raw-${i}`;
    sent.set(tx, performance.now());
    await producer.send({ topic, acks: -1, messages: [{ key: `k${i % 97}`, value: 'x'.repeat(2000), headers: { 'x-openhim-transactionid': tx } }] });
  });
  for (let i = 0; i < 100 && samples.length < sent.size; i++) await new Promise((r) => setTimeout(r, 100));
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  return percentiles(samples);
}

async function relayThroughput(kafka: Kafka, kafkaBrokers: string): Promise<void> {
  const n = Number(process.env.BENCH_RELAY_EVENTS ?? 5000);
  const { app, topic } = await buildApp(kafkaBrokers);
  await app.relay.stop();
  for (let i = 0; i < n; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, n - i) }, (_, j) => app.registry.service.registerSource({ patient: syntheticPatient(i + j, 11), sourceSystem: 'bench', actor: { clientId: 'bench' } })));
  }
  const backlog = (await app.registry.outbox.lag?.())?.count ?? 0;
  const events = await app.registry.outbox.pending(backlog);
  // The relay, as the mediator runs it (a fresh one: the app's was stopped to build the backlog).
  const relay = new OutboxRelay({ outbox: app.registry.outbox, publisher: app.publisher, logger: quiet, batchSize: 500 });
  let t = performance.now();
  // Running, as in the mediator (a running relay reads the next batch while one is published).
  relay.start();
  await relay.whenCaughtUp();
  const relaySeconds = (performance.now() - t) / 1000;
  await relay.stop();
  // The same messages, raw: one idempotent producer, acks=all, batches of 500, to a fresh topic.
  const rawTopic = `${topic}.raw`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: rawTopic, numPartitions: 3 }] });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t = performance.now();
  for (let i = 0; i < events.length; i += 500) {
    await producer.sendBatch({ acks: -1, topicMessages: batchesOf(events.slice(i, i + 500), { patient: rawTopic, review: rawTopic, practitioner: rawTopic, dlq: rawTopic, bundle2xx: rawTopic }, 'bench') });
  }
  const rawSeconds = (performance.now() - t) / 1000;
  await producer.disconnect();
  const throughput = Math.round(events.length / relaySeconds);
  const ceiling = Math.round(events.length / rawSeconds);
  report({
    workload: 'event-relay-throughput',
    params: { events: events.length, batchSize: 500, store: 'mongodb (local stand-in)', relaySeconds: Math.round(relaySeconds * 1000) / 1000, rawSeconds: Math.round(rawSeconds * 1000) / 1000, sharedMachine: true },
    throughput, p50: 0, p95: 0, p99: 0, rssMB: rssMB(), ceiling, ratioToCeiling: Math.round((throughput / ceiling) * 1000) / 1000, commandsPerRecord: null,
  });
  await app.stop();
}

async function main(): Promise<void> {
  stackEnv();
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:19092';
  const kafka = new Kafka({ clientId: 'bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  try {
    // BENCH_EVENT_WORKLOADS=delay or =relay runs one of the two (profiling one part).
    const parts = (process.env.BENCH_EVENT_WORKLOADS ?? 'delay,relay').split(',');
    if (parts.includes('delay')) await delay(kafka, brokers);
    if (parts.includes('relay')) await relayThroughput(kafka, brokers);
  } finally {
    const client = createMongoClient(process.env.MONGODB_URI ?? '');
    for (const db of (await client.db().admin().listDatabases()).databases.map((d) => d.name).filter((name) => name.includes(run))) await client.db(db).dropDatabase();
    await client.close();
  }
}

main().then(() => process.exit(0), (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
