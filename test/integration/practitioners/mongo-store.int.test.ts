import { randomBytes } from 'node:crypto';
import { MongoPractitionerStore } from '../../../src/practitioners/mongo-store';
import { practitionerStoreContract } from '../../unit/practitioners/store-contract';
import { useTestDb } from '../../helpers/test-db';

const testDb = useTestDb();

// Each test gets its own collection in the file's database.
practitionerStoreContract('mongo', async () => {
  const store = new MongoPractitionerStore(testDb(), `practitioners_${randomBytes(3).toString('hex')}`);
  await store.init();
  return store;
});

test('concurrent upserts of one health worker get distinct versions and the store keeps the latest', async () => {
  const store = new MongoPractitionerStore(testDb(), `practitioners_${randomBytes(3).toString('hex')}`);
  await store.init();
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.upsert({ resourceType: 'Practitioner', id: 'hw', name: [{ family: `F${i}` }] })));
  expect(new Set(results.map((r) => r.meta?.versionId)).size).toBe(10);
  const latest = results.find((r) => r.meta?.versionId === '10');
  expect((await store.get('hw'))?.name).toEqual(latest?.name);
});

test('versions are kept by one conditional replace per write: no side collection of version claims', async () => {
  const name = `practitioners_${randomBytes(3).toString('hex')}`;
  const store = new MongoPractitionerStore(testDb(), name);
  await store.init();
  await store.upsert({ resourceType: 'Practitioner', id: 'hw', name: [{ family: 'Sarr' }] });
  const second = await store.upsert({ resourceType: 'Practitioner', id: 'hw', name: [{ family: 'Sarr', given: ['Awa'] }] });
  expect(second.meta?.versionId).toBe('2');
  const collections = (await testDb().listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  expect(collections.filter((c) => c.startsWith(name))).toEqual([name]);
});
