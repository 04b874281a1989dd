import { createApp } from '../../src/app';
import type { App, AppOverrides } from '../../src/app';
import { loadConfig } from '../../src/config';
import { InMemoryEventPublisher } from '../../src/events/memory';
import { memoryLogger } from './silent-logger';

/** Development configuration for tests, with overrides. */
export function testConfig(env: Record<string, string> = {}): ReturnType<typeof loadConfig> {
  return loadConfig({ NODE_ENV: 'development', AUTH_MODE: 'none', LOG_LEVEL: 'info', MPI_ID_COUNTRY: 'SN', MPI_ID_REGION: 'DKR', ...env });
}

export interface TestApp extends App {
  published: InMemoryEventPublisher['published'];
  logLines: string[];
}

/**
 * The whole app on memory twins (every store, the event publisher), not listening: drive it with
 * `app.server.inject`. Call `app.stop()` after.
 * @param env - configuration overrides
 * @param overrides - replace further parts
 */
export async function buildTestApp(env: Record<string, string> = {}, overrides: AppOverrides = {}): Promise<TestApp> {
  const config = testConfig(env);
  const { logger, lines } = memoryLogger();
  const publisher = new InMemoryEventPublisher();
  const app = await createApp(config, { logger, publisher, storage: 'memory', listen: false, ...overrides });
  await app.start();
  return Object.assign(app, { published: publisher.published, logLines: lines });
}
