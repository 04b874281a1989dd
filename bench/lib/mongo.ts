/**
 * The benchmarks' MongoDB: the local stack's address, and a client whose commands are counted by the
 * driver's command monitoring (contracts.md §5 `commandsPerRecord`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CommandFailedEvent, CommandStartedEvent, CommandSucceededEvent, MongoClient, MongoClientOptions } from 'mongodb';
import { createMongoClient } from '../../src/storage/mongo-client';

/** Commands the driver sends on its own (handshake, monitoring, sessions), not the application's. */
export const HOUSEKEEPING_COMMANDS: ReadonlySet<string> = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'buildInfo']);

/**
 * A setting from the environment, else the local stack's `.stack/env`, else `fallback`.
 * @param name - the variable
 * @param fallback - when neither has it
 */
export function stackSetting(name: string, fallback: string): string {
  if (process.env[name]) return process.env[name];
  const envFile = join(__dirname, '../../.stack/env');
  const line = existsSync(envFile) ? new RegExp(`^${name}=(.+)$`, 'm').exec(readFileSync(envFile, 'utf8')) : null;
  return line?.[1]?.trim() || fallback;
}

/** MONGODB_URI, else the local stack's (`.stack/env`), else the stack's default address. */
export function mongoUri(): string {
  return stackSetting('MONGODB_URI', 'mongodb://127.0.0.1:27117/?directConnection=true');
}

/**
 * The store settings a mediator started on the local stack runs with (`.stack/env`): its address and
 * its lookup split (the stand-in answers one `$in` of thousands of keys ~6x slower than the same keys
 * in queries of 64, scripts/stack.sh). A benchmark that builds its own config spreads these in, so it
 * measures what a deployment on the stack would do.
 */
export function stackStoreSettings(): { MONGODB_URI: string; MONGODB_LOOKUP_KEYS_PER_QUERY: string } {
  return { MONGODB_URI: mongoUri(), MONGODB_LOOKUP_KEYS_PER_QUERY: stackSetting('MONGODB_LOOKUP_KEYS_PER_QUERY', '0') };
}

/** KAFKA_BROKERS, else the local stack's (`.stack/env`), else the stack's default address. */
export function kafkaBrokers(): string {
  return stackSetting('KAFKA_BROKERS', '127.0.0.1:19092');
}

/** A connected client and the number of application commands it has sent so far. */
export interface CountingClient {
  client: MongoClient;
  commands(): number;
  /** Commands by name since the client connected (what a registration spends its round trips on). */
  byName(): Record<string, number>;
  /** Milliseconds the driver waited for each command name's replies (the server's share of the time). */
  msByName(): Record<string, number>;
}

/**
 * Connect a client that counts every command it starts except the driver's housekeeping.
 * @param options - driver options (pool size…)
 */
export async function countingClient(options: MongoClientOptions = {}): Promise<CountingClient> {
  const client = createMongoClient(mongoUri(), { ...options, monitorCommands: true });
  let total = 0;
  const names = new Map<string, number>();
  const ms = new Map<string, number>();
  client.on('commandStarted', (e: CommandStartedEvent) => {
    if (HOUSEKEEPING_COMMANDS.has(e.commandName)) return;
    total += 1;
    names.set(e.commandName, (names.get(e.commandName) ?? 0) + 1);
  });
  const ended = (e: CommandSucceededEvent | CommandFailedEvent): void => {
    if (!HOUSEKEEPING_COMMANDS.has(e.commandName)) ms.set(e.commandName, (ms.get(e.commandName) ?? 0) + e.duration);
  };
  client.on('commandSucceeded', ended);
  client.on('commandFailed', ended);
  await client.connect();
  const rounded = (m: Map<string, number>): Record<string, number> => Object.fromEntries([...m].map(([k, v]) => [k, Math.round(v)]));
  return { client, commands: () => total, byName: () => Object.fromEntries(names), msByName: () => rounded(ms) };
}

/**
 * Commands `work` sent through `counter` (nothing else may use the client meanwhile).
 * @param counter - the counting client
 * @param work - the operation
 */
export async function counted<T>(counter: CountingClient, work: () => Promise<T>): Promise<{ value: T; commands: number }> {
  const before = counter.commands();
  const value = await work();
  return { value, commands: counter.commands() - before };
}
