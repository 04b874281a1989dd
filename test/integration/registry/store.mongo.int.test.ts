import type { MongoClient } from 'mongodb';
import type { Db } from 'mongodb';
import { randomBytes } from 'node:crypto';
import { registryStoreContract } from '../../unit/registry/store-contract';
import { mongoStore, openTestDb } from './mongo-helpers';

let client: MongoClient;
let db: Db;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ client, db, drop } = await openTestDb());
});
afterAll(async () => {
  await drop();
  await client.close();
});

// Each test gets fresh collections (a new prefix) in the file's database.
registryStoreContract('mongo', async () => ({ store: await mongoStore(db, `t${randomBytes(3).toString('hex')}_`), cleanup: async () => undefined }));

test('the cross-reference unique index rejects a second holder at the database level', async () => {
  await mongoStore(db, 'raw_');
  const xref = db.collection('raw_xref');
  await xref.insertOne({ system: 'urn:nid', value: '42', mpiId: 'A' });
  await expect(xref.insertOne({ system: 'urn:nid', value: '42', mpiId: 'B' })).rejects.toMatchObject({ code: 11000 });
  await expect(xref.insertOne({ system: 'urn:other', value: '42', mpiId: 'B' })).resolves.toBeTruthy();
});
