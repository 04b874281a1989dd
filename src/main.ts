/**
 * Entry point: load configuration (exit 2 listing every problem), build the app, start it, and stop
 * it gracefully on SIGTERM/SIGINT (in-flight requests drain, the outbox flushes).
 */
import { createApp } from './app';
import { ConfigError, loadConfig } from './config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  // A configuration error OpenHIM Core reports (credentials, registration) stops the process like an
  // invalid environment; so does a mapping that does not compile (named by file, line and token).
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(config, {
      onFatal: (err) => {
        process.stderr.write(`${err.message}\n`);
        void app.stop().finally(() => process.exit(2));
      },
    });
  } catch (err) {
    process.stderr.write(`Passerelle cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        app.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await app.start();
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    await app.stop().catch(() => undefined);
    process.exit(1);
  }
}

void main();
