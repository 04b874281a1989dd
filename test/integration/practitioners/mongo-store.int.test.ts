import { randomBytes } from 'node:crypto';
import { MongoPractitionerStore } from '../../../src/practitioners/mongo-store';
import { practitionerStoreContract } from '../../unit/practitioners/store-contract';
import { useTestDb } from '../registry/mongo-helpers';

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
