/**
 * The handshake Passerelle's driver sends is one that MongoDB accepts. Under Jest the driver's own
 * metadata would be `client: {}` (its dynamic `import('os')` fails in the module sandbox), which
 * `mongod` refuses; the local stand-in checks the handshake as `mongod` does, so these tests would fail
 * against MongoDB as they fail here if any connection skipped createMongoClient.
 */
import * as os from 'node:os';
import { MongoClient } from 'mongodb';
import { createMongoClient } from '../../../src/storage/mongo-client';

const uri = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27117/?directConnection=true';

test('a client from createMongoClient sends complete client metadata and the server accepts it', async () => {
  const client = createMongoClient(uri, { appName: 'handshake-test' });
  const metadata = await (client as unknown as { options: { metadata: Promise<Record<string, unknown>> } }).options.metadata;
  expect(metadata).toMatchObject({ driver: { name: 'nodejs' }, os: { type: os.type() }, application: { name: 'handshake-test' } });
  try {
    await client.connect();
    expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
  } finally {
    await client.close();
  }
});

test('the server checks the handshake: a bare driver client inside Jest sends client: {} and is refused', async () => {
  // eslint-disable-next-line no-restricted-syntax -- the defect this module exists to avoid
  const bare = new MongoClient(uri, { serverSelectionTimeoutMS: 1500 });
  try {
    await expect(bare.connect()).rejects.toThrow(/client metadata|driver/i);
  } finally {
    await bare.close();
  }
});
