/**
 * `npm run events -- replay (--mpi-id ID | --since TIME) [--topic T] [--mode snapshot|retained] [--dry-run]`
 * re-publishes identity events for a consumer that lost its store (src/flows/replay.ts says what
 * each mode sends); `npm run events -- status` prints the outbox backlog. Reads the mediator's
 * environment (MONGODB_URI, KAFKA_BROKERS, topic names, INSTANCE_ID…). The last line of stdout is
 * one JSON object.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config';
import type { Config } from '../config';
import { createLogger } from '../core/logger';
import type { OutboxEvent } from '../core/types';
import { createsTopics, topicTable } from '../events-module';
import { KafkaEventPublisher } from '../events/kafka';
import { replayRetained, replaySnapshot } from '../flows/replay';
import type { ReplayScope } from '../flows/replay';
import { buildRegistryModule } from '../registry-module';
import type { RegistryModule } from '../registry-module';
import { createMongoClient } from '../storage/mongo-client';

const USAGE = 'usage: npm run events -- replay (--mpi-id ID | --since TIME) [--topic T] [--mode snapshot|retained] [--dry-run]\n       npm run events -- status\n';

/** A replay request, validated. */
export interface ReplayRequest {
  scope: ReplayScope;
  mode: 'snapshot' | 'retained';
  topic?: string;
  dryRun: boolean;
}

/**
 * Parse and check the replay options; throws with the usage on any problem.
 * @param values - parsed command-line options
 */
export function replayRequest(values: { 'mpi-id'?: string; since?: string; topic?: string; mode?: string; 'dry-run'?: boolean }): ReplayRequest {
  const { 'mpi-id': mpiId, since, mode = 'snapshot' } = values;
  if ((mpiId === undefined) === (since === undefined)) throw new Error(`give exactly one of --mpi-id and --since\n${USAGE}`);
  if (since !== undefined && Number.isNaN(Date.parse(since))) throw new Error(`--since must be an ISO 8601 time, e.g. 2026-11-01T00:00:00Z\n${USAGE}`);
  if (mode !== 'snapshot' && mode !== 'retained') throw new Error(`--mode is snapshot or retained\n${USAGE}`);
  const scope: ReplayScope = mpiId !== undefined ? { mpiId: mpiId.trim().toUpperCase() } : { since: new Date(since as string).toISOString() };
  return { scope, mode, dryRun: values['dry-run'] ?? false, ...(values.topic ? { topic: values.topic } : {}) };
}

async function replay(config: Config, registry: RegistryModule, req: ReplayRequest): Promise<Record<string, unknown>> {
  const topics = { ...topicTable(config), ...(req.topic ? { patient: req.topic } : {}) };
  const logger = createLogger(config.env.LOG_LEVEL);
  const publisher = new KafkaEventPublisher({
    brokers: config.env.KAFKA_BROKERS ?? [], clientId: `${config.env.KAFKA_CLIENT_ID}-replay`, instance: config.env.INSTANCE_ID, topics, logger,
    topicSpecs: [{ name: topics.patient, partitions: config.env.KAFKA_TOPIC_PARTITIONS }], createTopics: createsTopics(config),
  });
  const byType: Record<string, number> = {};
  let count = 0;
  // Patient events only: the replay rebuilds a consumer of the patient topic.
  const publish = async (all: OutboxEvent[]): Promise<void> => {
    const events = all.filter((e) => e.topic === 'patient');
    for (const e of events) byType[e.type] = (byType[e.type] ?? 0) + 1;
    if (!req.dryRun) await publisher.publish(events);
    count += events.length;
    process.stderr.write(`\r${count} events`);
  };
  if (!req.dryRun) await publisher.connect();
  try {
    if (req.mode === 'snapshot') await replaySnapshot(registry.service, req.scope, { instance: config.env.INSTANCE_ID, publish });
    else await replayRetained(registry.store.outbox, req.scope, { publish });
    process.stderr.write('\n');
    return { command: 'replay', mode: req.mode, scope: req.scope, topic: topics.patient, dryRun: req.dryRun, events: count, byType };
  } finally {
    await publisher.disconnect();
  }
}

async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { 'mpi-id': { type: 'string' }, since: { type: 'string' }, topic: { type: 'string' }, mode: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
  });
  const command = positionals[0];
  if (command !== 'replay' && command !== 'status') throw new Error(USAGE);
  const request = command === 'replay' ? replayRequest(values) : null;
  const config = loadConfig(process.env);
  const client = createMongoClient(config.env.MONGODB_URI ?? '', { serverSelectionTimeoutMS: 5000, appName: `${config.env.INSTANCE_ID}-events-cli` });
  try {
    const registry = buildRegistryModule({ config, logger: createLogger('warn'), db: client.db(config.env.MONGODB_DB) });
    const result = request ? await replay(config, registry, request) : { command: 'status', outbox: await registry.store.outbox.lag() };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await client.close();
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(err instanceof Error && err.message.includes('usage:') ? 2 : 1);
  });
}
