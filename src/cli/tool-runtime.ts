/**
 * What every command-line tool stands on: the configuration the mediator loads from the same
 * environment (`loadConfig`, every problem listed at once), the database it names, and — for the
 * registry tools — the registry composed exactly as the mediator composes it (`registry-module.ts`:
 * the deployment's match rules, MPI ID format, phone country and instance). A tool never reads
 * `process.env` itself, so it cannot relink or mint IDs under other rules than the mediator's.
 */
import type { Db } from 'mongodb';
import type { Config } from '../config';
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../core/logger';
import type { Logger } from '../core/logger';
import { buildRegistryModule } from '../registry-module';
import type { RegistryModule } from '../registry-module';
import { createMongoClient } from '../storage/mongo-client';

/** A tool's connection to the mediator's database. */
export interface ToolDatabase {
  config: Config;
  /** JSON log lines go to stderr, so stdout carries only the tool's output. */
  logger: Logger;
  db: Db;
  close(): Promise<void>;
}

/** A tool's registry, as the mediator runs it. */
export interface ToolRegistry extends ToolDatabase {
  registry: RegistryModule;
}

/**
 * Load the configuration and connect to its database.
 * @param env - the environment (process.env when run from a shell)
 * @param appName - how the connection names itself to MongoDB
 */
export async function openToolDatabase(env: NodeJS.ProcessEnv, appName: string): Promise<ToolDatabase> {
  const config = loadConfig(env);
  const logger = createLogger(config.env.LOG_LEVEL, process.stderr);
  const client = createMongoClient(config.env.MONGODB_URI ?? '', { appName });
  await client.connect();
  return { config, logger, db: client.db(config.env.MONGODB_DB), close: () => client.close() };
}

/**
 * Open the registry the way the mediator does: same composition, indexes ensured and changes a crash
 * left half-done finished before the tool reads anything.
 * @param env - the environment (process.env when run from a shell)
 * @param appName - how the connection names itself to MongoDB
 */
export async function openToolRegistry(env: NodeJS.ProcessEnv, appName: string): Promise<ToolRegistry> {
  const opened = await openToolDatabase(env, appName);
  const registry = buildRegistryModule({ config: opened.config, logger: opened.logger, db: opened.db });
  try {
    await registry.init();
  } catch (err) {
    await registry.close();
    await opened.close();
    throw err;
  }
  return {
    ...opened, registry,
    async close(): Promise<void> {
      await registry.close();
      await opened.close();
    },
  };
}

/**
 * Run a tool's main function as a process: its result is the exit code; invalid configuration exits
 * with 2 listing every problem, any other failure with 1.
 * @param main - the tool, resolving to its exit code
 */
export function runTool(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = err instanceof ConfigError ? 2 : 1;
    },
  );
}
