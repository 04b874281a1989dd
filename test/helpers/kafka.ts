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
