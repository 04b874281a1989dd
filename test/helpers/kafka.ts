import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { IHeaders } from 'kafkajs';
import { expectValidEvent } from './event-schema';

/** Brokers of the local stack (set by the integration globalSetup from .stack/env). */
export function testBrokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
}

export interface ConsumedMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

function decodeHeaders(h: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(h ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]));
}

/**
 * Read a topic from the beginning with a fresh consumer group until `enough(got, lastPartition, lastOffset)`.
 * @param topic - topic to read
 * @param brokers - the broker list
 * @param timeoutMs - give up after this long (the error says how far it got)
 * @param enough - whether everything wanted has arrived
 */
async function readUntil(topic: string, brokers: string[], timeoutMs: number, enough: (got: ConsumedMessage[], last: ConsumedMessage | null) => boolean): Promise<ConsumedMessage[]> {
  const kafka = new Kafka({ clientId: 'passerelle-test', brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });
  const got: ConsumedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      if (enough(got, null)) return resolve();
      const timer = setTimeout(() => reject(new Error(`read only ${got.length} messages of ${topic} in ${timeoutMs} ms`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          const m = { key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', headers: decodeHeaders(message.headers), partition, offset: message.offset };
          got.push(m);
          if (enough(got, m)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

/**
 * Read `count` messages from a topic from the beginning with a fresh consumer group.
 * @param topic - topic to read
 * @param count - how many messages to wait for
 * @param timeoutMs - give up after this long
 * @param opts - `validate: false` for records that are not Passerelle's events
 */
export async function consume(topic: string, count: number, timeoutMs = 20000, opts: { validate?: boolean } = {}): Promise<ConsumedMessage[]> {
  return validated(await readUntil(topic, testBrokers(), timeoutMs, (got) => got.length >= count), opts.validate);
}

/** Every event Passerelle produced is checked against the event schema and FHIR R4 (`validate: false` for synthetic records). */
function validated(messages: ConsumedMessage[], validate = true): ConsumedMessage[] {
  if (validate) for (const m of messages) expectValidEvent(m);
  return messages;
}

/**
 * Read every message of a topic, from the beginning up to its end offsets at call time.
 * @param topic - topic to read
 * @param brokers - the broker list (default: the stack's)
 * @param timeoutMs - give up after this long
 */
export async function consumeAll(topic: string, brokers: string[] = testBrokers(), timeoutMs = 120000): Promise<ConsumedMessage[]> {
  const admin = new Kafka({ clientId: 'passerelle-test', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  await admin.disconnect();
  const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  const got = await readUntil(topic, brokers, timeoutMs, (_got, m) => {
    if (m && BigInt(m.offset) + 1n >= (ends.get(m.partition) ?? 0n)) remaining.delete(m.partition);
    return remaining.size === 0;
  });
  return validated(got.filter((m) => BigInt(m.offset) < (ends.get(m.partition) ?? 0n)));
}
