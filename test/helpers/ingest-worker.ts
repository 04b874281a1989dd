/**
 * A mediator process that only ingests: `node -r @swc-node/register test/helpers/ingest-worker.ts
 * URI DB N SEED PAGE` registers the generated population through the bulk path and exits 0.
 */
import { buildRegistryModule } from '../../src/registry-module';
import { createMongoClient } from '../../src/storage/mongo-client';
import { testConfig } from './app';
import { memoryLogger } from './silent-logger';
import { populationPages } from './population';

async function main(): Promise<void> {
  const [uri, db, n, seed, page] = process.argv.slice(2);
  const client = await createMongoClient(uri as string).connect();
  const registry = buildRegistryModule({ config: testConfig(), logger: memoryLogger().logger, db: client.db(db) });
  await registry.init();
  for (const p of populationPages(Number(n), Number(seed), Number(page))) {
    const results = await registry.service.registerMany(p);
    const refused = results.filter((r) => !r.ok);
    if (refused.length > 0) throw new Error(`refused: ${JSON.stringify(refused[0])}`);
  }
  await registry.close();
  await client.close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
