import { randomBytes } from 'node:crypto';
import { collectionNames } from '../../../src/registry/mongo/indexes';
import type { Change, StoredSource } from '../../../src/registry/store';
import { registryStoreContract } from '../../unit/registry/store-contract';
import { outboxClaimsContract } from '../../unit/registry/outbox-contract';
import { mongoOutbox } from '../../../src/registry/mongo/outbox';
import { claimBatch } from '../../../src/storage/outbox-claims';
import { newClaimant } from '../../../src/core/outbox-claims';
import { prepareRegistryDb } from '../../../src/registry/mongo/mongo-store';
import { pmirChange } from '../../unit/registry/store-contract';
import { mongoStore, useTestDb } from './mongo-helpers';

const testDb = useTestDb();
const prefix = (): string => `t${randomBytes(3).toString('hex')}_`;

// Each test gets fresh collections (a new prefix) in the file's database.
registryStoreContract('mongo', async () => ({ store: await mongoStore(testDb(), prefix()), cleanup: async () => undefined }));
// Lookups split into queries of one key each (MONGODB_LOOKUP_KEYS_PER_QUERY) answer the same.
registryStoreContract('mongo, one key per lookup query', async () => ({ store: await mongoStore(testDb(), prefix(), 1), cleanup: async () => undefined }));

const change = (id: string, o: Partial<Change>): Change => ({
  id, seq: 1, at: '2026-01-01T00:00:00.000Z', operation: 'x', actor: { clientId: 't' }, leases: [], guards: [],
  writes: { sources: [], goldens: [], xrefPut: [], xrefDel: [] }, reviews: [], merges: [], history: [], events: [], applied: false, unpublished: [], ...o,
});

describe('unique indexes carry the invariants at the database level', () => {
  test('one document per source key / MPI ID / identifier, one source per logical id', async () => {
    const p = prefix();
    await mongoStore(testDb(), p);
    const records = testDb().collection(collectionNames(p).records);
    await records.insertOne({ _id: 'x:urn:nid|42' as never, k: 'x', mpiId: 'A' });
    await expect(records.insertOne({ _id: 'x:urn:nid|42' as never, k: 'x', mpiId: 'B' })).rejects.toMatchObject({ code: 11000 });
    await records.insertOne({ _id: 'urn:a|1' as never, k: 's', id: 'logical-1' });
    await expect(records.insertOne({ _id: 'urn:a|2' as never, k: 's', id: 'logical-1' })).rejects.toMatchObject({ code: 11000 });
  });

  // MongoDB removes a document's unique-index entries for values an update removes; the local stand-in
  // keeps them (only a delete removes them). Passerelle never relies on an update to free a unique
  // value: leases are their own documents, deleted when released. This test holds on both servers.
  test('a lease released by finishing or aborting its change is free for the next change at once', async () => {
    const store = await mongoStore(testDb(), prefix());
    for (let round = 0; round < 3; round++) {
      await store.changes.commit(change(`a${round}`, { leases: ['b:fam:DIOP', 'i:urn:nid|1'], guards: [`g|G|${round * 2 + 1}`] }));
      await store.changes.finish(`a${round}`);
      await store.changes.commit(change(`b${round}`, { leases: ['i:urn:nid|1'], guards: [`g|G|${round * 2 + 2}`] }));
      await store.changes.abort(`b${round}`);
    }
    expect(await store.changes.leaseHolder('i:urn:nid|1')).toBeNull();
  });

  test('a change document never holds its leases itself (they would stay in the unique index)', async () => {
    const p = prefix();
    const store = await mongoStore(testDb(), p);
    await store.changes.commit(change('c1', { leases: ['b:k'], guards: ['g|G|1'] }));
    const doc = await testDb().collection(collectionNames(p).changes).findOne({ _id: 'c1' as never });
    expect(doc?.leases).toBeUndefined();
    expect((await store.changes.get('c1'))?.guards).toEqual(['g|G|1']);
  });

  test('a commit refused on a guard takes its lease document back', async () => {
    const p = prefix();
    const store = await mongoStore(testDb(), p);
    await store.changes.commit(change('c1', { guards: ['g|G|1'] }));
    await expect(store.changes.commit(change('c2', { leases: ['b:k'], guards: ['g|G|1'] }))).rejects.toMatchObject({ code: 'conflict' });
    expect(await testDb().collection(collectionNames(p).changes).countDocuments({ t: 'l', change: 'c2' })).toBe(0);
  });
});

describe('idempotent writes on the real server', () => {
  test('the same record writes racing each other (recovery beside the writer) all succeed and leave one version', async () => {
    const store = await mongoStore(testDb(), prefix());
    const src = (version: number): StoredSource => ({
      key: 'urn:s|1', id: 'sid', system: 'urn:s', value: '1', sourceSystem: 's', patient: { resourceType: 'Patient' },
      features: { given: [], family: [], givenPhonetic: [], familyPhonetic: [], phones: [], nationalIds: [], otherIds: [], rejected: [] },
      goldenId: 'G', linkState: 'auto', active: true, version, createdAt: 'a', updatedAt: 'a', receivedAt: 'a',
      search: { id: 'sid', active: true, lastUpdated: 'a', family: [], given: [], names: [], identifiers: [], idKeys: [], idSystems: [], idValues: [], telecom: [], city: [], country: [], postalCode: [], state: [], addressAny: [] },
      keys: ['i:urn:s|1'], rf: '', contentHash: 'h', notAMatch: [], seq: version,
    });
    for (const version of [1, 2, 3]) {
      await Promise.all(Array.from({ length: 6 }, () => store.records.write({ sources: [src(version)], goldens: [], xrefPut: [{ key: `urn:nid|${version}`, mpiId: 'G' }], xrefDel: [] })));
      expect((await store.records.source('urn:s|1'))?.version).toBe(version);
    }
    await store.records.write({ sources: [src(2)], goldens: [], xrefPut: [], xrefDel: [] });
    expect((await store.records.source('urn:s|1'))?.version).toBe(3);
    expect((await store.records.xref(['urn:nid|1', 'urn:nid|3'])).length).toBe(2);
  });
});

// Several processes relaying one database, and retention, on the real server.
outboxClaimsContract('mongo', async () => {
  const p = prefix();
  const store = await mongoStore(testDb(), p);
  const changes = testDb().collection(collectionNames(p).changes);
  return { store, outboxFor: (claimant) => mongoOutbox(changes, claimant), cleanup: async () => undefined };
});

describe('a database written before outbox documents', () => {
  test('its waiting events move to the outbox at start, once, and are published', async () => {
    const p = prefix();
    const store = await mongoStore(testDb(), p);
    const changes = testDb().collection(collectionNames(p).changes);
    // The former layout: the change document itself marked pending, with the ids still to publish.
    const { applied: _a, leases: _l, ...legacy } = pmirChange('c1', 10, ['e1', 'e2']);
    await changes.insertOne({ ...legacy, _id: 'c1' as never, t: 'c', pending: true, unpublished: ['e2'], claimedBy: 'gone', claimUntil: 0 });
    expect(await prepareRegistryDb(testDb(), p)).toBe(1);
    expect(await prepareRegistryDb(testDb(), p)).toBe(0);
    const claimed = await store.outbox.pending(10);
    expect(claimed.map((e) => e.id)).toEqual(['e2']);
    await store.outbox.markPublished(['e2']);
    expect(await store.outbox.pending(10)).toEqual([]);
    expect(await changes.findOne({ _id: 'c1' as never })).not.toHaveProperty('pending');
  });
});

describe('a published outbox document cannot come back', () => {
  test('recovery that listed the change as unfinished before it finished and was published inserts nothing again', async () => {
    const p = prefix();
    const store = await mongoStore(testDb(), p);
    const changes = testDb().collection(collectionNames(p).changes);
    await store.changes.commit(pmirChange('c1', 1, ['e1', 'e2']));
    await store.changes.finish('c1');
    expect((await store.outbox.pending(10)).map((e) => e.id)).toEqual(['e1', 'e2']);
    await store.outbox.markPublished(['e1', 'e2']);
    // What a stale listing sees: the change's lease document as it was before the finish.
    await changes.insertOne({ _id: 'lease:c1' as never, t: 'l', change: 'c1', at: '2026-01-01T00:00:00.000Z' });
    expect((await store.changes.unfinished(10)).map((c) => c.id)).toEqual(['c1']);
    await store.changes.finish('c1');
    expect(await store.outbox.pending(10)).toEqual([]);
    expect(await changes.findOne({ t: 'o' })).toEqual({ _id: 'out:c1:0', t: 'o', at: expect.any(String) });
  });

  test('the retention job removes tombstones published before its cut, and only those', async () => {
    const p = prefix();
    const store = await mongoStore(testDb(), p);
    const changes = testDb().collection(collectionNames(p).changes);
    await store.changes.commit(pmirChange('c1', 1, ['e1']));
    await store.changes.commit(pmirChange('c2', 2, ['e2']));
    await store.changes.finish('c1');
    await store.changes.finish('c2');
    expect((await store.outbox.pending(1)).map((e) => e.id)).toEqual(['e1']);
    await store.outbox.markPublished(['e1']);
    await store.outbox.prune(new Date(Date.now() - 60_000).toISOString());
    expect(await changes.countDocuments({ t: 'o' })).toBe(2);
    await store.outbox.prune(new Date(Date.now() + 60_000).toISOString());
    expect(await changes.find({ t: 'o' }, { projection: { _id: 1 } }).toArray()).toEqual([{ _id: 'out:c2:0' }]);
  });
});

describe('the next batch is read while the last one is marked published', () => {
  /** Three finished changes (events e1, e2 | e3 | e4), the first handed out as a batch of 2. */
  const firstBatchHandedOut = async (): Promise<Awaited<ReturnType<typeof mongoStore>>> => {
    const store = await mongoStore(testDb(), prefix());
    await store.changes.commit(pmirChange('c1', 1, ['e1', 'e2']));
    await store.changes.commit(pmirChange('c2', 2, ['e3']));
    await store.changes.commit(pmirChange('c3', 3, ['e4']));
    for (const id of ['c1', 'c2', 'c3']) await store.changes.finish(id);
    expect((await store.outbox.pending(2)).map((e) => e.id)).toEqual(['e1', 'e2']);
    return store;
  };

  test('a claim skips the entries named, and their keys do not hold back later entries', async () => {
    const col = testDb().collection(`${prefix()}claims`);
    await col.insertMany([{ _id: 'a', w: true, keys: ['k'] }, { _id: 'b', w: true, keys: ['k'] }, { _id: 'c', w: true, keys: ['j'] }] as never[]);
    const q = { waiting: { w: true }, sort: { _id: 1 as const }, keysOf: (d: { keys?: unknown }) => d.keys as string[], wholeWindow: true, skip: ['a'] };
    const held = await claimBatch(col, newClaimant('p1', 30000), q, 5);
    expect(held.map((d) => d._id)).toEqual(['b', 'c']);
    expect(await col.findOne({ _id: 'a' as never })).not.toHaveProperty('claimedBy');
  });

  test('it leaves the documents being marked out, and counts their events against its limit', async () => {
    const store = await firstBatchHandedOut();
    // As the relay does: the bookkeeping of a batch runs while the next batch is read.
    const marking = store.outbox.markPublished(['e1', 'e2']);
    const next = await store.outbox.pending(3);
    await marking;
    expect(next.map((e) => e.id)).toEqual(['e3']);
    expect((await store.outbox.pending(3)).map((e) => e.id)).toEqual(['e3', 'e4']);
  });

  test('it leaves out the documents of events still being published, counts them against its limit, and reads them again once they are not', async () => {
    const store = await firstBatchHandedOut();
    // As the relay reads ahead: e1 and e2 go to Kafka meanwhile; it asks for 2 more than it wants.
    expect((await store.outbox.pending(3, new Set(['e1', 'e2']))).map((e) => e.id)).toEqual(['e3']);
    // Their publish failed: the next read, told of nothing busy, hands everything out again in order.
    expect((await store.outbox.pending(10)).map((e) => e.id)).toEqual(['e1', 'e2', 'e3', 'e4']);
  });
});
