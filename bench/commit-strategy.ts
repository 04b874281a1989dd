/**
 * How to commit an identity change, measured on the local stack (issue "The registry at national
 * scale", item 3): Passerelle's change document as the commit point against a multi-document
 * transaction with a transactional outbox, for the same writes — a registration that links a new
 * source record to a golden record (the source, the golden record, two cross-reference entries, the
 * history and events, and the leases that serialise it).
 *
 *   change document:  insert [lease doc, change doc] (ordered) → bulk write records → delete lease doc
 *   transaction:      insert lease doc → in a transaction: insert change doc (outbox) + bulk write
 *                     records → commitTransaction → delete lease doc
 *
 * The lease document is the same in both (a transaction does not serialise two registrations of one
 * new person: they write no common document). Prints one JSON line per strategy and concurrency.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AnyBulkWriteOperation, Collection, Db, Document, MongoClient } from 'mongodb';
import { createMongoClient } from '../src/storage/mongo-client';
import { syntheticPatient } from './lib/synthetic';

const ROUNDS = Number(process.env.BENCH_N ?? 1500);

interface Colls { records: Collection<Document>; changes: Collection<Document> }

function docs(i: number): { change: Document; lease: Document; writes: Array<AnyBulkWriteOperation<Document>> } {
  const patient = syntheticPatient(i, 3);
  const id = randomUUID();
  const key = `urn:bench|${i}`;
  const source = { _id: key, k: 's', patient, version: 1, keys: [`i:${key}`, `b:fam:${i % 500}`, `b:dob:${i % 700}`], rf: 'AF5' };
  const golden = { _id: `G-${i}`, k: 'g', patient, version: 1, members: [{ key, patient }], xrefKeys: [key] };
  return {
    lease: { _id: `lease:${id}`, t: 'l', change: id, leases: [`s:${key}`, `g:G-${i}`, `i:${key}`, `b:fam:${i % 500}`] },
    change: { _id: id, t: 'c', seq: Date.now() * 1000 + i, guards: [`s|${key}|1`, `g|G-${i}|1`], history: [{ ref: `source|${id}`, patient }, { ref: `golden|G-${i}`, patient }], events: [{ id: randomUUID(), key: `G-${i}` }], pending: true },
    writes: [
      { replaceOne: { filter: { _id: key as never, version: { $lt: 1 } }, replacement: source, upsert: true } },
      { replaceOne: { filter: { _id: `G-${i}` as never, version: { $lt: 1 } }, replacement: golden, upsert: true } },
      { replaceOne: { filter: { _id: `x:${key}` as never }, replacement: { k: 'x', key, mpiId: `G-${i}` }, upsert: true } },
    ],
  };
}

async function viaChangeDocument(c: Colls, i: number): Promise<void> {
  const d = docs(i);
  await c.changes.insertMany([d.lease, d.change], { ordered: true });
  await c.records.bulkWrite(d.writes, { ordered: false });
  await c.changes.deleteOne({ _id: d.lease._id as never });
}

async function viaTransaction(client: MongoClient, c: Colls, i: number): Promise<void> {
  const d = docs(i);
  await c.changes.insertOne(d.lease);
  const session = client.startSession();
  try {
    await session.withTransaction(async () => {
      await c.changes.insertOne(d.change, { session });
      await c.records.bulkWrite(d.writes, { ordered: false, session });
    });
  } finally {
    await session.endSession();
  }
  await c.changes.deleteOne({ _id: d.lease._id as never });
}

async function run(name: string, concurrency: number, one: (i: number) => Promise<void>): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < ROUNDS) {
      const i = next++;
      const t = performance.now();
      await one(i);
      latencies.push(performance.now() - t);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 100) / 100;
  process.stdout.write(`${JSON.stringify({ strategy: name, concurrency, changes: ROUNDS, perSecond: Math.round(ROUNDS / seconds), p50: at(0.5), p99: at(0.99) })}\n`);
}

async function fresh(db: Db, tag: string): Promise<Colls> {
  const c = { records: db.collection(`${tag}_records`), changes: db.collection(`${tag}_changes`) };
  await c.changes.createIndexes([{ key: { leases: 1 }, unique: true, sparse: true }, { key: { guards: 1 }, unique: true, sparse: true }, { key: { pending: 1, seq: 1 }, sparse: true }]);
  await c.records.createIndexes([{ key: { keys: 1, rf: 1 } }]);
  return c;
}

async function main(): Promise<void> {
  const client = await createMongoClient(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27117/?directConnection=true').connect();
  const db = client.db(`passerelle_commit_${randomBytes(4).toString('hex')}`);
  try {
    for (const concurrency of [1, 8]) {
      const a = await fresh(db, `doc${concurrency}`);
      await run('change-document', concurrency, (i) => viaChangeDocument(a, i));
      const b = await fresh(db, `txn${concurrency}`);
      await run('transaction', concurrency, (i) => viaTransaction(client, b, i));
    }
  } finally {
    await db.dropDatabase();
    await client.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
