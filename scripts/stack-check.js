'use strict';
// Readiness probe for the local stack, run by `scripts/stack.sh up`. An open port is not enough: this
// proves the MongoDB stand-in answers a ping and an insert/find round trip, and Kafka a real produce/consume round
// trip, retrying until --timeout. Exit 0 when both work, 1 otherwise (the reason goes to stderr).
//
//   node scripts/stack-check.js --mongo "mongodb://127.0.0.1:27117/?directConnection=true" --kafka 127.0.0.1:19092 [--timeout 60]
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const { randomUUID } = require('node:crypto');
const { setTimeout: sleep } = require('node:timers/promises');
const { MongoClient } = require('mongodb');
const { Kafka, logLevel } = require('kafkajs');

const TOPIC = 'passerelle.stack.check';
const ATTEMPT_MS = 20000;

function parseArgs(argv) {
  const args = { timeout: '60' };
  for (let i = 0; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
  if (!args.mongo || !args.kafka) {
    console.error('usage: node scripts/stack-check.js --mongo URI --kafka HOST:PORT[,HOST:PORT] [--timeout SECONDS]');
    process.exit(2);
  }
  return { mongo: args.mongo, brokers: args.kafka.split(','), timeoutMs: Number(args.timeout) * 1000 };
}

// A dedicated database, so the probe never writes into the application's own collections.
async function checkMongo(uri) {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 3000, connectTimeoutMS: 3000 });
  try {
    await client.connect();
    const db = client.db('passerelle_stack_check');
    await db.command({ ping: 1 });
    const probes = db.collection('probes');
    const _id = randomUUID();
    await probes.insertOne({ _id, at: new Date() });
    const found = await probes.findOne({ _id });
    if (!found) throw new Error('inserted document was not found');
    await probes.deleteOne({ _id });
  } finally {
    await client.close();
  }
}

// Produce a unique value and read it back through a fresh consumer group: this exercises topic
// creation, the partition leader, acks=all and the group coordinator (the __consumer_offsets topic).
async function checkKafka(brokers) {
  const kafka = new Kafka({
    clientId: 'passerelle-stack-check',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    retry: { retries: 3, initialRetryTime: 200 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      // Short retention: every `up` adds one message, read back from the beginning.
      topics: [{ topic: TOPIC, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'retention.ms', value: '3600000' }, { name: 'segment.ms', value: '600000' }] }],
    });
    const value = randomUUID();
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic: TOPIC, acks: -1, messages: [{ key: 'check', value }] });
    } finally {
      await producer.disconnect();
    }
    const groupId = `passerelle-stack-check-${value}`;
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, allowAutoTopicCreation: false });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      await new Promise((resolve, reject) => {
        consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
        consumer.run({ eachMessage: async ({ message }) => { if (String(message.value) === value) resolve(); } }).catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    await admin.deleteGroups([groupId]).catch(() => {}); // hygiene only: do not leave one group per `up`
  } finally {
    await admin.disconnect();
  }
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function untilOk(name, fn, deadline) {
  const started = Date.now();
  for (;;) {
    try {
      await withTimeout(fn(), Math.max(1000, Math.min(ATTEMPT_MS, deadline - Date.now())), name);
      console.error(`[stack] ${name}: round trip ok (${Date.now() - started} ms)`);
      return;
    } catch (err) {
      if (Date.now() >= deadline) throw new Error(`${name}: ${err && err.message ? err.message : err}`);
      await sleep(500);
    }
  }
}

async function main() {
  const { mongo, brokers, timeoutMs } = parseArgs(process.argv.slice(2));
  const deadline = Date.now() + timeoutMs;
  const results = await Promise.allSettled([
    untilOk('mongodb', () => checkMongo(mongo), deadline),
    untilOk('kafka', () => checkKafka(brokers), deadline),
  ]);
  const failures = results.filter((r) => r.status === 'rejected').map((r) => r.reason.message);
  for (const f of failures) console.error(`[stack] check failed: ${f}`);
  // Exit explicitly: a timed-out client may still hold sockets open.
  process.exit(failures.length ? 1 : 0);
}

main().catch((err) => {
  console.error(`[stack] check failed: ${err && err.stack ? err.stack : err}`);
  process.exit(1);
});
