/**
 * The registry through faults on the real server: the store killed with SIGKILL in the middle of a
 * bulk ingest and started again (nothing lost, nothing half-applied, the ingest resumes), and two
 * mediator processes ingesting one population at once (the same golden records as one process).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { MongoClient } from 'mongodb';
import { buildRegistryModule } from '../../../src/registry-module';
import type { RegistryModule } from '../../../src/registry-module';
import { createMongoClient } from '../../../src/storage/mongo-client';
import { testConfig } from '../../helpers/app';
import { memoryLogger } from '../../helpers/silent-logger';
import { PrivateMongo } from '../../helpers/private-mongo';
import { partitionOf, populationKeys, populationPages } from '../../helpers/population';

jest.setTimeout(300_000);

const N = 1200;
const SEED = 11;
const PAGE = 100;

async function registryOn(db: ReturnType<MongoClient['db']> | null): Promise<RegistryModule> {
  const registry = buildRegistryModule({ config: testConfig(), logger: memoryLogger().logger, db });
  await registry.init();
  return registry;
}

/** The population ingested by one process into the memory twin: the golden records to expect. */
async function referencePartition(): Promise<string[]> {
  const reference = await registryOn(null);
  for (const page of populationPages(N, SEED, PAGE)) await reference.service.registerMany(page);
  return partitionOf(reference.service, populationKeys(N, SEED));
}

/** Every golden record lists exactly the sources that point at it, and nothing is in flight. */
async function expectConsistent(registry: RegistryModule, keys: string[]): Promise<void> {
  const sources = await registry.service.getSources(keys);
  expect(sources).toHaveLength(new Set(keys).size);
  const goldens = await registry.service.getGoldens([...new Set(sources.map((s) => s.goldenId as string))]);
  for (const g of goldens) expect(g.sourceKeys.sort()).toEqual(sources.filter((s) => s.goldenId === g.mpiId).map((s) => s.key).sort());
  expect(await registry.store.changes.unfinished(10)).toEqual([]);
}

test('the store killed with SIGKILL mid bulk ingest and restarted: nothing lost or half-applied, the ingest resumes', async () => {
  const expected = await referencePartition();
  const mongo = await PrivateMongo.create();
  await mongo.start();
  const client = createMongoClient(mongo.uri, { serverSelectionTimeoutMS: 20_000 });
  try {
    const registry = await registryOn(client.db('faults'));
    const pages = populationPages(N, SEED, PAGE);
    let failedPages = 0;
    for (const [i, page] of pages.entries()) {
      const run = registry.service.registerMany(page);
      if (i === 4 || i === 8) {
        // Kill the store while the page is being written, then start it again on the same data.
        await new Promise((r) => setTimeout(r, 40 + 80 * Math.random()));
        await mongo.kill();
        const outcome = await run.then(() => 'done', () => 'failed');
        if (outcome === 'failed') failedPages += 1;
        await mongo.start();
        await registry.service.recoverPending({ graceMs: 0 });
        // The ingest resumes with the page it was on (an applied page is re-sent unchanged).
        await registry.service.registerMany(page);
        continue;
      }
      await run;
    }
    expect(failedPages).toBeGreaterThan(0);
    await expectConsistent(registry, populationKeys(N, SEED));
    expect(await partitionOf(registry.service, populationKeys(N, SEED))).toEqual(expected);
    await registry.close();
  } finally {
    await client.close();
    await mongo.destroy();
  }
});

function ingestProcess(uri: string, db: string): Promise<number> {
  const worker = join(__dirname, '..', '..', 'helpers', 'ingest-worker.ts');
  const child = spawn(process.execPath, ['-r', '@swc-node/register', worker, uri, db, String(N), String(SEED), String(PAGE)], { stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
}

test('two mediator processes ingesting one population at once end with the golden records of one process', async () => {
  const expected = await referencePartition();
  const uri = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27117/?directConnection=true';
  const db = `passerelle_two_${randomBytes(4).toString('hex')}`;
  const client = await createMongoClient(uri).connect();
  try {
    expect(await Promise.all([ingestProcess(uri, db), ingestProcess(uri, db)])).toEqual([0, 0]);
    const registry = await registryOn(client.db(db));
    await expectConsistent(registry, populationKeys(N, SEED));
    expect(await partitionOf(registry.service, populationKeys(N, SEED))).toEqual(expected);
    await registry.close();
  } finally {
    await client.db(db).dropDatabase();
    await client.close();
  }
});
