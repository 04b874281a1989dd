import { randomBytes } from 'node:crypto';
import { deleteIfStill, findByIds, pointFiltersOnly, putIfNewer } from '../../../src/registry/mongo/backend';
import { collectionNames } from '../../../src/registry/mongo/indexes';
import { registryStoreContract } from '../../unit/registry/store-contract';
import { mongoStore, useTestDb } from './mongo-helpers';

const testDb = useTestDb();

// Each test gets fresh collections (a new prefix) in the file's database.
registryStoreContract('mongo', async () => ({ store: await mongoStore(testDb(), `t${randomBytes(3).toString('hex')}_`), cleanup: async () => undefined }));

test('the cross-reference unique index rejects a second holder at the database level', async () => {
  await mongoStore(testDb(), 'raw_');
  const xref = testDb().collection('raw_xref');
  await xref.insertOne({ system: 'urn:nid', value: '42', mpiId: 'A' });
  await expect(xref.insertOne({ system: 'urn:nid', value: '42', mpiId: 'B' })).rejects.toMatchObject({ code: 11000 });
  await expect(xref.insertOne({ system: 'urn:other', value: '42', mpiId: 'B' })).resolves.toBeTruthy();
});

describe.each([true, false])('conditional writes by _id (point reads only: %s)', (pointOnly) => {
  test('put-if-newer never moves a document back in time; delete-if-still checks the field', async () => {
    const coll = testDb().collection(`cond_${String(pointOnly)}`);
    await putIfNewer(coll, 'a', { v: 'one', version: 1 }, 1, pointOnly);
    await putIfNewer(coll, 'a', { v: 'three', version: 3 }, 3, pointOnly);
    await putIfNewer(coll, 'a', { v: 'two', version: 2 }, 2, pointOnly);
    await putIfNewer(coll, 'a', { v: 'three again', version: 3 }, 3, pointOnly);
    await putIfNewer(coll, 'b', { v: 'new at two', version: 2 }, 2, pointOnly);
    expect(await coll.find({}, { projection: { _id: 1, v: 1 } }).sort({ _id: 1 }).toArray()).toEqual([{ _id: 'a', v: 'three' }, { _id: 'b', v: 'new at two' }]);
    await deleteIfStill(coll, 'a', 'v', 'two', pointOnly);
    expect(await coll.countDocuments({})).toBe(2);
    await deleteIfStill(coll, 'a', 'v', 'three', pointOnly);
    expect(await coll.countDocuments({})).toBe(1);
  });

  test('find-by-ids keeps the order asked for and leaves out duplicates and missing ids', async () => {
    const coll = testDb().collection(`ids_${String(pointOnly)}`);
    await coll.insertMany(['p', 'q', 'r'].map((id) => ({ _id: id as never, v: id })));
    expect((await findByIds(coll, ['r', 'x', 'p', 'r', 'q'], pointOnly)).map((d) => d.v)).toEqual(['r', 'p', 'q']);
    expect(await findByIds(coll, [], pointOnly)).toEqual([]);
  });
});

test('FerretDB (the local stack) is detected as a server that pushes down only {_id} filters; MongoDB is not', async () => {
  const info = await testDb().admin().command({ buildInfo: 1 });
  expect(await pointFiltersOnly(testDb())).toBe('ferretdbVersion' in info);
});

// Recovery may re-apply a change while its writer is still applying it: the same writes run twice at
// once, and each upsert must survive losing the insert race (FerretDB, unlike MongoDB ≥ 4.2, does not
// retry such an upsert on the server).
test('the same upserts racing each other all succeed and leave one document', async () => {
  const store = await mongoStore(testDb(), `race${randomBytes(3).toString('hex')}_`);
  const twice = <T>(write: () => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: 6 }, write));
  for (let round = 0; round < 5; round++) {
    await twice(() => store.blocking.add({ key: `blk-${round}`, sourceKey: 'urn:s|1' }));
    expect(await store.blocking.lookup(`blk-${round}`, 100)).toEqual(['urn:s|1']);
    await twice(() => store.xref.put({ system: 'urn:nid', value: `v${round}`, mpiId: 'M1' }));
    expect((await store.xref.get({ system: 'urn:nid', value: `v${round}` }))?.mpiId).toBe('M1');
    const merge = { id: `m${round}`, survivorId: 'A', retiredId: 'B', at: '2026-01-01T00:00:00Z', actor: { clientId: 't' }, prior: {} };
    await twice(() => store.merges.put(merge as never));
    expect((await store.merges.get(`m${round}`))?.id).toBe(`m${round}`);
    await twice(() => store.constraints.put({ sourceKey: `urn:s|${round}`, mpiId: 'M1' } as never));
    expect(await store.constraints.forSource(`urn:s|${round}`)).toHaveLength(1);
  }
});

test.each([true, false])('put-if-newer of one new document racing itself succeeds every time (point reads only: %s)', async (pointOnly) => {
  const coll = testDb().collection(`condrace_${String(pointOnly)}`);
  for (let round = 0; round < 5; round++) {
    await Promise.all(Array.from({ length: 6 }, () => putIfNewer(coll, `d${round}`, { v: 2, version: 2 }, 2, pointOnly)));
    expect(await coll.countDocuments({ _id: `d${round}` as never })).toBe(1);
  }
});

describe('the journal holds only changes in flight', () => {
  const base = { at: '2026-01-01T00:00:00.000Z', operation: 'x', actor: { clientId: 't' }, ops: [], applied: false };
  const event = (id: string): never => ({ id, topic: 'p', key: 'G', type: 't', payload: {}, headers: {} }) as never;

  test('a finished change moves to done, its body is deleted; a crash leftover is moved by retireFinished', async () => {
    const prefix = `ret${randomBytes(3).toString('hex')}_`;
    const store = await mongoStore(testDb(), prefix);
    const names = collectionNames(prefix);
    await store.journal.append({ ...base, id: 'c1', guards: ['g|A|1'], events: [event('e1')], unpublished: ['e1'] });
    await store.journal.append({ ...base, id: 'c2', guards: ['g|B|1'], events: [], unpublished: [] });
    await store.journal.markApplied('c1');
    await store.journal.markApplied('c2'); // no events: finished once applied
    expect(await testDb().collection(names.journal).distinct('_id')).toEqual(['c1']);
    await store.outbox.markPublished(['e1']);
    expect(await testDb().collection(names.journal).countDocuments({})).toBe(0);
    expect(await testDb().collection(names.bodies).countDocuments({})).toBe(0);
    expect(await testDb().collection(names.done).find({}, { projection: { _id: 1, operation: 1 } }).sort({ _id: 1 }).toArray()).toEqual([{ _id: 'c1', operation: 'x' }, { _id: 'c2', operation: 'x' }]);
    // A crash between "published" and the move leaves a finished journal document behind.
    await testDb().collection(names.journal).insertOne({ _id: 'c3' as never, seq: 99, at: base.at, operation: 'x', actor: base.actor, guards: [], applied: true, unpublished: [], published: true, opsJson: '[]', eventsJson: '[]' });
    expect(await store.journal.retireFinished(10)).toBe(1);
    expect(await testDb().collection(names.journal).countDocuments({})).toBe(0);
  });

  test('a stale guard of a retired change still blocks; one whose change never committed is cleared', async () => {
    const prefix = `orph${randomBytes(3).toString('hex')}_`;
    const store = await mongoStore(testDb(), prefix);
    const guards = testDb().collection(collectionNames(prefix).guards);
    await store.journal.append({ ...base, id: 'old', guards: ['g|A|1'], events: [], unpublished: [] });
    await store.journal.markApplied('old');
    // Both guards are older than the orphan grace period (30 s).
    await guards.updateOne({ _id: 'g|A|1' as never }, { $set: { at: 0 } });
    await guards.insertOne({ _id: 'g|B|1' as never, changeId: 'never-committed', at: 0 });
    await expect(store.journal.append({ ...base, id: 'n1', guards: ['g|A|1'], events: [], unpublished: [] })).rejects.toMatchObject({ code: 'conflict' });
    expect(await guards.findOne({ _id: 'g|A|1' as never })).toMatchObject({ changeId: 'old' });
    await expect(store.journal.append({ ...base, id: 'n2', guards: ['g|B|1'], events: [], unpublished: [] })).rejects.toMatchObject({ code: 'conflict' });
    await expect(store.journal.append({ ...base, id: 'n3', guards: ['g|B|1'], events: [], unpublished: [] })).resolves.toMatchObject({ id: 'n3' });
  });
});

describe('batched writes on the real server', () => {
  test('claims: one insert takes the free keys; a live lease of another owner is left alone, an expired one taken over', async () => {
    const store = await mongoStore(testDb(), `cl${randomBytes(3).toString('hex')}_`);
    const now = new Date();
    const soon = new Date(now.getTime() + 60_000);
    await store.claims.tryAcquire('held', 'other', soon, now);
    await store.claims.tryAcquire('expired', 'other', new Date(now.getTime() - 1), new Date(now.getTime() - 1000));
    await store.claims.tryAcquire('mine', 'me', soon, now);
    expect((await store.claims.tryAcquireMany?.(['a', 'expired', 'held', 'mine', 'z'], 'me', soon, now))?.sort()).toEqual(['a', 'expired', 'mine', 'z']);
    expect(await store.claims.tryAcquire('held', 'me', soon, now)).toBe(false);
    expect(await store.claims.tryAcquire('z', 'third', soon, now)).toBe(false);
  });

  test('blocking edits apply in order in one batch, and racing batches of the same new keys all succeed', async () => {
    const store = await mongoStore(testDb(), `be${randomBytes(3).toString('hex')}_`);
    const add = (key: string, sourceKey: string): never => ({ op: 'block.add', entry: { key, sourceKey } }) as never;
    const del = (key: string, sourceKey: string): never => ({ op: 'block.del', entry: { key, sourceKey } }) as never;
    const applyEdits = (edits: never[]): Promise<void> => (store.blocking.applyEdits as (e: never[]) => Promise<void>).call(store.blocking, edits);
    await applyEdits([add('k1', 's1'), add('k1', 's2'), del('k1', 's1'), add('k2', 's1')]);
    expect(await store.blocking.lookup('k1', 10)).toEqual(['s2']);
    expect(await store.blocking.lookup('k2', 10)).toEqual(['s1']);
    const edits = Array.from({ length: 12 }, (_, i) => add(`new${i}`, 's9'));
    await Promise.all(Array.from({ length: 4 }, () => applyEdits(edits)));
    for (let i = 0; i < 12; i++) expect(await store.blocking.lookup(`new${i}`, 10)).toEqual(['s9']);
  });
});
