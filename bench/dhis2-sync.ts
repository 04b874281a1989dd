/**
 * DHIS2 sync workload (issue 14, contracts.md §5): BENCH_SYNC_N tracked entities (10,000) served by
 * the fake DHIS2 on loopback, synced through the real channel (HTTP helper, envelope, mapping,
 * validation, registerMany, cursor) into the registry on the local stack's MongoDB, once into an empty
 * registry and once into one holding BENCH_SYNC_PRELOAD records (100,000). The ceiling is the bulk
 * registration rate measured in the same run: registerMany of the same number of already-mapped
 * people of the same shape with their payloads as received, in pages of the same size, against the
 * same registry, just before and just after the sync (their mean is the ceiling; then a block without
 * the payloads shows what keeping them costs). Mapping time per record is reported separately
 * (evaluation alone, and with pruning and FHIR validation). Write-back is off.
 *
 *   node -r @swc-node/register bench/dhis2-sync.ts
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Patient } from 'fhir/r4';
import { Dhis2Channel } from '../src/channels/dhis2/adapter';
import { createUpstreamClient } from '../src/channels/http';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/core/logger';
import { discardOrchestration } from '../src/core/orchestration';
import { buildRegistryModule } from '../src/registry-module';
import type { RegistryModule } from '../src/registry-module';
import type { RegisterSourceInput } from '../src/registry/api';
import { createMongoClient } from '../src/storage/mongo-client';
import { inboundJob } from '../src/sync/inbound-job';
import { runChannel } from '../src/sync/runner';
import { buildSyncStores } from '../src/sync-module';
import type { Transforms } from '../src/transforms';
import { buildTransforms } from '../src/transforms-module';
import { FakeDhis2, SL, trackedEntityOf } from '../test/helpers/fakes/dhis2';
import type { FakeTrackedEntity } from '../test/helpers/fakes/dhis2';
import { person, uidOf } from '../test/helpers/fakes/people';
import { mongoUri, stackStoreSettings } from './lib/mongo';
import { benchRelay } from './lib/relay';
import { syntheticPatient } from './lib/synthetic';
import { percentiles, report, rssMB } from './lib/result';
import type { BenchResult } from './lib/result';

const N = Number(process.env.BENCH_SYNC_N ?? 10_000);
const SIZES = (process.env.BENCH_SYNC_SIZES ?? `0,${process.env.BENCH_SYNC_PRELOAD ?? 100_000}`).split(',').map(Number);
const PAGE = Number(process.env.BENCH_SYNC_PAGE ?? 500);
const ACTOR = { clientId: 'bench' };
const quiet = createLogger('error', new Writable({ write(_c, _e, cb): void { cb(); } }));
const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'error', ...stackStoreSettings(), DEFAULT_PHONE_COUNTRY: 'SL' });
const since = (t: number): number => (performance.now() - t) / 1000;

/** Tracked entities of a population block (distinct people, distinct UIDs). */
function entities(offset: number): FakeTrackedEntity[] {
  return Array.from({ length: N }, (_, i) => trackedEntityOf(person(offset + i), { uid: uidOf(offset + i, 'B') }));
}

async function openRegistry(): Promise<{ module: RegistryModule; db: ReturnType<Awaited<ReturnType<typeof connect>>['db']>; commands: { n: number }; close(): Promise<void> }> {
  const commands = { n: 0 };
  const client = await connect();
  client.on('commandStarted', () => (commands.n += 1));
  const db = client.db(`passerelle_bench_sync_${randomBytes(4).toString('hex')}`);
  const module = buildRegistryModule({ config, logger: quiet, db });
  await module.init();
  const relay = benchRelay(module.outbox);
  relay.start();
  return {
    module, db, commands,
    async close() {
      await relay.stop();
      await module.close();
      await db.dropDatabase();
      await client.close();
    },
  };
}

function connect(): ReturnType<ReturnType<typeof createMongoClient>['connect']> {
  return createMongoClient(mongoUri(), { monitorCommands: true, appName: 'bench-dhis2-sync' }).connect();
}

/** registerMany in pages; returns records per second. */
async function registerPages(module: RegistryModule, inputs: RegisterSourceInput[]): Promise<number> {
  const t = performance.now();
  for (let i = 0; i < inputs.length; i += PAGE) {
    const results = await module.service.registerMany(inputs.slice(i, i + PAGE));
    const refused = results.find((r) => !r.ok);
    if (refused && !refused.ok) throw new Error(`bulk registration refused a record: ${refused.error.message}`);
    // A 100k preload runs for most of an hour: say where it is (stderr, outside the result line).
    if (inputs.length > 20 * PAGE && (i / PAGE) % 20 === 19) console.error(`[dhis2-sync] ${i + PAGE} of ${inputs.length} registered, ${Math.round((i + PAGE) / since(t))} records/s`);
  }
  return inputs.length / since(t);
}

/** Register a block of N people of the sync's shape in pages (with or without their payloads); records per second. */
async function bulkBlock(module: RegistryModule, transforms: Transforms, offset: number, withPayload: boolean): Promise<number> {
  const tes = entities(offset);
  const { patients } = await mapped(transforms, tes);
  return registerPages(module, patients.map((patient, i) => ({ patient, sourceSystem: 'dhis2', actor: ACTOR, ...(withPayload ? { received: tes[i] } : {}) })));
}

async function mapped(transforms: Transforms, tes: FakeTrackedEntity[]): Promise<{ patients: Patient[]; evaluateUs: number; evaluateCpuUs: number; mapUs: number }> {
  const mapping = transforms.get('dhis2-tracked-entity');
  for (const te of tes.slice(0, 500)) await mapping.evaluate(te); // warm-up
  let t = performance.now();
  // CPU time beside wall time: on a shared machine the wall time also counts other processes' turns.
  const cpu = process.cpuUsage();
  for (const te of tes) await mapping.evaluate(te);
  const used = process.cpuUsage(cpu);
  const evaluateUs = ((performance.now() - t) * 1000) / tes.length;
  const evaluateCpuUs = (used.user + used.system) / tes.length;
  const patients: Patient[] = [];
  t = performance.now();
  for (const te of tes) {
    const r = await transforms.map<Patient>('dhis2-tracked-entity', te, 'Patient');
    if (!r.ok) throw new Error(`mapping failed: ${r.reason}`);
    patients.push(r.resource);
  }
  return { patients, evaluateUs, evaluateCpuUs, mapUs: ((performance.now() - t) * 1000) / tes.length };
}

async function syncOnce(reg: Awaited<ReturnType<typeof openRegistry>>, transforms: Transforms, fake: FakeDhis2): Promise<{ rate: number; pageMs: number[]; commands: number; counts: unknown }> {
  const stores = buildSyncStores(reg.db);
  await stores.init();
  const http = createUpstreamClient({ channel: 'dhis2', baseUrl: fake.url, timeoutMs: 60_000, auth: { kind: 'basic', username: 'admin', password: 'district' } });
  const channel = new Dhis2Channel(http, { pageSize: PAGE, programs: [], orgUnits: [], trackedEntityType: SL.person, legacyApi: false, identifierSystem: 'urn:passerelle:dhis2:tracked-entity' });
  const job = inboundJob(channel, { registry: reg.module.service, transforms, deadLetters: stores.deadLetters, now: () => new Date() });
  const pageMs: number[] = [];
  let last = performance.now();
  const before = reg.commands.n;
  const t = performance.now();
  const run = await runChannel(
    { state: stores.state, runs: stores.runs, deadLetters: stores.deadLetters, logger: quiet, now: () => new Date(), gate: (w) => w() },
    job,
    { id: randomBytes(8).toString('hex'), trigger: 'cli', actor: ACTOR, sink: discardOrchestration, onProgress: () => { pageMs.push(performance.now() - last); last = performance.now(); } },
  );
  const seconds = since(t);
  if (run.status !== 'succeeded' || run.counts.created + run.counts.linked + run.counts.review !== N) throw new Error(`sync did not take every record in: ${JSON.stringify(run)}`);
  return { rate: N / seconds, pageMs, commands: (reg.commands.n - before) / N, counts: run.counts };
}

async function scenario(size: number, transforms: Transforms): Promise<BenchResult & { commandsPerRecord: number }> {
  const reg = await openRegistry();
  try {
    let t = performance.now();
    const preloadRate = size > 0 ? await registerPages(reg.module, Array.from({ length: size }, (_, i) => ({ patient: syntheticPatient(i, 7), sourceSystem: 'bench', actor: ACTOR }))) : 0;
    const preloadSeconds = since(t);
    // The baseline registers what the channel hands the registry (the mapped Patient and the payload as
    // received, kept with the source record), once just before the sync and once just after, so that the
    // two bracket the registry size the sync meets; a block without the payloads shows what keeping them costs.
    const before = await bulkBlock(reg.module, transforms, 3_000_000, true);
    const fake = new FakeDhis2('2.42');
    fake.put(...entities(2_000_000));
    await fake.start();
    t = performance.now();
    const mappingCost = await mapped(transforms, [...fake.entities.values()]);
    const sync = await syncOnce(reg, transforms, fake);
    await fake.close();
    const after = await bulkBlock(reg.module, transforms, 4_000_000, true);
    const withoutPayload = await bulkBlock(reg.module, transforms, 5_000_000, false);
    const bulkRate = (before + after) / 2;
    const ratio = Math.round((sync.rate / bulkRate) * 1000) / 1000;
    return {
      workload: `dhis2-sync-${size >= 1000 ? `${size / 1000}k` : size}`,
      params: {
        records: N, registrySize: size, pageSize: PAGE, store: 'mongo (local stack)', writeBack: false, preloadSeconds: Math.round(preloadSeconds), preloadRate: Math.round(preloadRate),
        bulkRegistrationRate: Math.round(bulkRate), bulkRateBefore: Math.round(before), bulkRateAfter: Math.round(after), bulkRateWithoutReceivedPayload: Math.round(withoutPayload), mappingEngine: transforms.get('dhis2-tracked-entity').engine, mappingUsPerRecord: Math.round(mappingCost.evaluateUs * 10) / 10, mappingCpuUsPerRecord: Math.round(mappingCost.evaluateCpuUs * 10) / 10, mapAndValidateUsPerRecord: Math.round(mappingCost.mapUs * 10) / 10,
        counts: sync.counts, note: 'ceiling = mean of the bulk rates just before and just after the sync, on the same registry',
      },
      throughput: Math.round(sync.rate), ...percentiles(sync.pageMs), rssMB: rssMB(), ceiling: Math.round(bulkRate), ratioToCeiling: ratio, commandsPerRecord: Math.round(sync.commands * 10) / 10,
    };
  } finally {
    await reg.close();
  }
}

async function main(): Promise<void> {
  const live = config.live;
  const transforms = buildTransforms({ live: () => live, phoneCountry: 'SL' });
  for (const size of SIZES) report(await scenario(size, transforms));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
