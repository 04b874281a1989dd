/**
 * Bulk ingest (issue 12 item 7): N generated records (a fifth of them a second system's record of an
 * earlier person) through `registry.service.registerMany` in pages of 500 into an empty database on
 * the local stack, the mediator's relay retiring each page's events (timed apart). Ceiling, in the same
 * run: the stand-in's raw `insertMany` of the very documents the load left in the records collection,
 * into a scratch collection with the same indexes, in batches the size of one page's writes.
 * Goals: ≥ 50 % of the ceiling; the last 10 % of the load at ≥ 80 % of the rate of the first 10 %.
 *
 *   BENCH_N=100000 node -r @swc-node/register bench/bulk-ingest.ts
 *
 * p50/p95/p99 are the latencies of one page (ms). The loaded database is kept (marked complete) for
 * the workloads that need a registry of N records; `npm run bench` drops it at the end.
 */
import type { Db, Document, IndexDescription } from 'mongodb';
import { collectionNames } from '../src/registry/mongo/indexes';
import { countingClient } from './lib/mongo';
import { benchRegistry, countOutcomes, DUPLICATE_SHARE, loadPages, markPopulation, PAGE_SIZE, populationDbName } from './lib/population';
import type { PageTiming } from './lib/population';
import { percentiles, ratio, report, round, rssMB } from './lib/result';
import { benchSeed, benchSize, sizeLabel } from './lib/sizes';

const MB = 1048576;

/** Records per second over a run of pages. */
function rateOf(pages: PageTiming[]): number {
  const ms = pages.reduce((s, p) => s + p.ms, 0);
  return ms > 0 ? Math.round((pages.reduce((s, p) => s + p.records, 0) * 1000) / ms) : 0;
}

/** The records collection's indexes, as createIndexes descriptions (without `_id_`). */
async function indexesOf(db: Db, coll: string): Promise<IndexDescription[]> {
  const listed = await db.collection(coll).listIndexes().toArray();
  return listed.filter((ix) => ix.name !== '_id_').map((ix) => ({ key: ix.key as IndexDescription['key'], name: String(ix.name), ...(ix.unique ? { unique: true } : {}), ...(ix.sparse ? { sparse: true } : {}) }));
}

/**
 * The raw insertMany rate of the records collection's documents into a scratch copy with the same
 * indexes: reads happen between batches and are not timed.
 */
async function insertManyCeiling(db: Db, records: string, batch: number): Promise<{ seconds: number; docs: number }> {
  const scratch = db.collection<Document>('bench_ceiling_records');
  await scratch.drop().catch(() => undefined);
  await db.createCollection('bench_ceiling_records');
  const indexes = await indexesOf(db, records);
  if (indexes.length > 0) await scratch.createIndexes(indexes);
  const cursor = db.collection<Document>(records).find({}).batchSize(batch);
  let buffer: Document[] = [];
  let ms = 0;
  let docs = 0;
  const flush = async (): Promise<void> => {
    const t = performance.now();
    await scratch.insertMany(buffer, { ordered: false });
    ms += performance.now() - t;
    docs += buffer.length;
    buffer = [];
  };
  for await (const d of cursor) {
    buffer.push(d);
    if (buffer.length >= batch) await flush();
  }
  if (buffer.length > 0) await flush();
  await scratch.drop();
  return { seconds: ms / 1000, docs };
}

/** Sizes of the database the load left, in MB (the stand-in's dbStats / collStats). */
async function sizesOf(db: Db, names: ReturnType<typeof collectionNames>): Promise<Record<string, number>> {
  const stats = await db.stats();
  const coll = async (name: string): Promise<Document> => db.command({ collStats: name });
  const [records, changes] = await Promise.all([coll(names.records), coll(names.changes)]);
  return {
    dataMB: round(Number(stats.dataSize) / MB, 1), storageMB: round(Number(stats.storageSize) / MB, 1), indexMB: round(Number(stats.indexSize) / MB, 1),
    recordsDataMB: round(Number(records.size) / MB, 1), recordsIndexMB: round(Number(records.totalIndexSize) / MB, 1),
    changesDataMB: round(Number(changes.size) / MB, 1), changesIndexMB: round(Number(changes.totalIndexSize) / MB, 1),
  };
}

async function main(): Promise<void> {
  const n = benchSize();
  const seed = benchSeed();
  const counter = await countingClient();
  const db = counter.client.db(populationDbName(n, seed));
  const names = collectionNames();
  await db.dropDatabase();
  const m = benchRegistry(db);
  await m.init();
  const pages: PageTiming[] = [];
  const outcomes: Record<string, number> = {};
  const started = performance.now();
  await loadPages(m, counter, { from: 0, to: n, seed }, (t, results) => {
    pages.push(t);
    countOutcomes(results, outcomes);
    if (pages.length % 100 === 0) process.stderr.write(`[bulk-ingest] ${pages.length * PAGE_SIZE}/${n} records, ${rateOf(pages.slice(-100))}/s over the last 100 pages\n`);
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const [loadMs, loadCommands] = [counter.msByName(), counter.byName()];
  await m.close();
  const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  const rss = rssMB();
  const docsByKind = Object.fromEntries(await Promise.all(['s', 'g', 'x'].map(async (k) => [k, await db.collection(names.records).countDocuments({ k })] as const)));
  const recordDocs = Object.values(docsByKind).reduce((a, b) => a + b, 0);
  const sizes = await sizesOf(db, names);
  const ceilingRun = await insertManyCeiling(db, names.records, Math.max(1, Math.round(recordDocs / pages.length)));
  await markPopulation(db, n, seed);
  await counter.client.close();

  const tenth = Math.max(1, Math.round(pages.length / 10));
  const first = rateOf(pages.slice(0, tenth));
  const last = rateOf(pages.slice(-tenth));
  const throughput = rateOf(pages);
  const ceiling = Math.round(n / ceilingRun.seconds);
  const commands = pages.reduce((s, p) => s + p.commands, 0);
  const relayCommands = pages.reduce((s, p) => s + p.relayCommands, 0);
  report({
    workload: `bulk-ingest-${sizeLabel(n)}`,
    params: {
      records: n, seed, pageSize: PAGE_SIZE, duplicateShare: DUPLICATE_SHARE, outcomes, store: 'mongodb (local stand-in)',
      wallSeconds: round(wallSeconds, 1), ingestSeconds: round(pages.reduce((s, p) => s + p.ms, 0) / 1000, 1),
      relaySeconds: round(pages.reduce((s, p) => s + p.relayMs, 0) / 1000, 1), relayCommandsPerRecord: round(relayCommands / n, 4),
      firstTenthPerSecond: first, lastTenthPerSecond: last, lastToFirst: ratio(last, first),
      recordDocs: docsByKind, ceilingDocs: ceilingRun.docs, ceilingDocsPerSecond: Math.round(ceilingRun.docs / ceilingRun.seconds), ceilingBatch: Math.round(recordDocs / pages.length),
      peakRssMB, database: sizes,
      // Where the store's time went (the driver's wait for each command name's replies, ingest and relay).
      serverMsByCommand: loadMs, commandsByName: loadCommands,
      note: 'throughput: records/s inside registerMany (relay apart); ceiling: records/s at which raw insertMany writes the same records-collection documents (change documents not included); p50/p95/p99: ms per page of 500',
    },
    throughput, ...percentiles(pages.map((p) => p.ms)), rssMB: rss, ceiling, ratioToCeiling: ratio(throughput, ceiling), commandsPerRecord: round(commands / n, 4),
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
