/**
 * A real mediator process (`src/main.ts`) on the data and topics of a StackApp, for tests that kill
 * one or run several side by side. Its output is kept for the failure message of a test that waits on it.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePortPair } from './private-kafka';
import type { StackApp } from './stack-app';

const root = join(__dirname, '..', '..');

/** A spawned mediator. */
export interface MediatorProcess {
  proc: ChildProcess;
  instance: string;
  /** http://127.0.0.1:PORT */
  url: string;
  /** Its output so far. */
  logs: string[];
  /** Send a signal and wait for the process to be gone. */
  stop(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Start a mediator process on `s`'s database and topics.
 * @param s - the test's app (its database name and topics)
 * @param brokers - Kafka brokers
 * @param instance - INSTANCE_ID
 * @param env - more environment (batch size, lease…)
 */
export async function spawnMediator(s: StackApp, brokers: string[], instance: string, env: Record<string, string> = {}): Promise<MediatorProcess> {
  const port = await freePortPair();
  const full = {
    PATH: process.env.PATH ?? '', KAFKAJS_NO_PARTITIONER_WARNING: '1', NODE_ENV: 'development', AUTH_MODE: 'none', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: String(port),
    INSTANCE_ID: instance, MONGODB_URI: s.app.config.env.MONGODB_URI ?? '', MONGODB_DB: s.dbName, KAFKA_BROKERS: brokers.join(','), KAFKA_RELAY_BATCH_SIZE: '200',
    KAFKA_TOPIC_PATIENT: s.topics.patient, KAFKA_TOPIC_REVIEW: s.topics.review, KAFKA_TOPIC_PRACTITIONER: s.topics.practitioner, KAFKA_TOPIC_DLQ: s.topics.dlq, KAFKA_TOPIC_2XX: s.topics.bundle2xx,
    MPI_ID_COUNTRY: 'SN', MPI_ID_REGION: 'DKR', ...env,
  };
  const proc = spawn(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], { cwd: root, env: full, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  proc.stdout?.on('data', (d: Buffer) => logs.push(`[${instance}] ${d.toString()}`));
  proc.stderr?.on('data', (d: Buffer) => logs.push(`[${instance}] ${d.toString()}`));
  const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    proc, instance, url: `http://127.0.0.1:${port}`, logs,
    stop: async (signal) => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      await gone;
    },
  };
}
