import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { IHeaders } from 'kafkajs';

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
 * Read `count` messages from a topic from the beginning with a fresh consumer group.
 * @param topic - topic to read
 * @param count - how many messages to wait for
 * @param timeoutMs - give up after this long
 */
export async function consume(topic: string, count: number, timeoutMs = 20000): Promise<ConsumedMessage[]> {
  const kafka = new Kafka({ clientId: 'passerelle-test', brokers: testBrokers(), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });
  const got: ConsumedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${got.length}/${count} messages on ${topic}`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          got.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', headers: decodeHeaders(message.headers), partition, offset: message.offset });
          if (got.length >= count) {
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
 * Read every message of a topic, from the beginning up to its end offsets at call time.
 * @param topic - topic to read
 * @param brokers - the broker list (default: the stack's)
 * @param timeoutMs - give up after this long
 */
export async function consumeAll(topic: string, brokers: string[] = testBrokers(), timeoutMs = 120000): Promise<ConsumedMessage[]> {
  const kafka = new Kafka({ clientId: 'passerelle-test', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  await admin.disconnect();
  const remaining = new Set([...ends].filter(([, high]) => high > 0n).map(([p]) => p));
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });
  const got: ConsumedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      if (remaining.size === 0) return resolve();
      const timer = setTimeout(() => reject(new Error(`read ${got.length} messages of ${topic}; partitions ${[...remaining].join(',')} unfinished`)), timeoutMs);
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          got.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', headers: decodeHeaders(message.headers), partition, offset: message.offset });
          if (BigInt(message.offset) + 1n >= (ends.get(partition) ?? 0n)) remaining.delete(partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return got.filter((m) => BigInt(m.offset) < (ends.get(m.partition) ?? 0n));
}
