import { randomBytes } from 'node:crypto';
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
