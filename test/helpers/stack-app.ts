import { randomUUID } from 'node:crypto';
import { createApp } from '../../src/app';
import type { App } from '../../src/app';
import { testConfig } from './app';
import { memoryLogger } from './silent-logger';
import { createMongoClient } from '../../src/storage/mongo-client';

export interface StackApp {
  app: App;
  dbName: string;
  topics: { patient: string; review: string; practitioner: string; dlq: string; bundle2xx: string };
  logLines: string[];
  /** Stop the app and drop its database. */
  close(): Promise<void>;
}

/**
 * The whole app against the real local stack (secantusd-rs + Kafka), on a fresh database and fresh
 * topics, not listening on a port.
 * @param env - configuration overrides (e.g. KAFKA_BROKERS of a private broker)
 * @param opts - `listen: true` binds the configured port; `awaitDatabase: false` returns before MongoDB is ready
 */
export async function buildStackApp(env: Record<string, string> = {}, opts: { listen?: boolean; awaitDatabase?: boolean } = {}): Promise<StackApp> {
  const run = randomUUID().slice(0, 8);
  // A caller may name the database and topics (a second app on the data of a first one).
  const dbName = env.MONGODB_DB ?? `passerelle_it_${run}`;
  const topics = {
    patient: env.KAFKA_TOPIC_PATIENT ?? `it.${run}.patient`, review: env.KAFKA_TOPIC_REVIEW ?? `it.${run}.review`,
    practitioner: env.KAFKA_TOPIC_PRACTITIONER ?? `it.${run}.practitioner`, dlq: env.KAFKA_TOPIC_DLQ ?? `it.${run}.dlq`, bundle2xx: env.KAFKA_TOPIC_2XX ?? `it.${run}.2xx`,
  };
  const config = testConfig({
    MONGODB_URI: process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27117/', MONGODB_DB: dbName,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:19092', KAFKA_TOPIC_PATIENT: topics.patient,
    KAFKA_TOPIC_REVIEW: topics.review, KAFKA_TOPIC_PRACTITIONER: topics.practitioner, KAFKA_TOPIC_DLQ: topics.dlq,
    KAFKA_TOPIC_2XX: topics.bundle2xx, ...env,
  });
  const { logger, lines } = memoryLogger();
  const app = await createApp(config, { logger, listen: opts.listen ?? false });
  await app.start();
  // The APIs answer 503 until the database is ready (indexes built, interrupted changes recovered).
  if (opts.awaitDatabase ?? true) {
    await eventually(async () => ((await app.server.inject('/ready')).result as { checks?: Record<string, string> }).checks?.mongodb === 'up').catch((err: unknown) => {
      throw new Error(`${String(err)}: the database never became ready; the app logged:\n${lines.slice(-20).join('')}`);
    });
  }
  return {
    app, dbName, topics, logLines: lines,
    async close(): Promise<void> {
      await app.stop();
      const client = createMongoClient(config.env.MONGODB_URI ?? '');
      await client.db(dbName).dropDatabase().catch(() => undefined);
      await client.close();
    },
  };
}

/**
 * Poll `check` until it returns true or the timeout passes.
 * @param check - the condition
 * @param timeoutMs - give up after this long
 */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}
