/** Entry point: `npm start` with the environment of README.md. */
import { ConsumerConfigError, loadConsumerConfig } from './config';
import { FhirStoreConsumer } from './consumer';

async function main(): Promise<void> {
  const consumer = new FhirStoreConsumer(loadConsumerConfig(process.env));
  const stop = (): void => {
    void consumer.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await consumer.start();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof ConsumerConfigError ? 2 : 1);
});
