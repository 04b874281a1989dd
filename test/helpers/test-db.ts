/**
 * A throw-away database on the local stack's MongoDB-compatible server, for integration tests of any
 * Mongo adapter (registry, practitioners, audit, clients).
 */
import { randomBytes } from 'node:crypto';
import type { Db, MongoClient } from 'mongodb';
import { createMongoClient } from '../../src/storage/mongo-client';

/** Connect to MONGODB_URI (the stack's, from .stack/env) and open a uniquely named test database. */
export async function openTestDb(): Promise<{ client: MongoClient; db: Db; drop: () => Promise<void> }> {
  const client = await createMongoClient(process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:27117/').connect();
  const db = client.db(`passerelle_test_${randomBytes(6).toString('hex')}`);
  return { client, db, drop: async () => void (await db.dropDatabase()) };
}

/**
 * Open a throw-away database for the whole test file (dropped and disconnected after it).
 * @returns a getter for the database, valid from the file's first test on
 */
export function useTestDb(): () => Db {
  let opened: Awaited<ReturnType<typeof openTestDb>> | undefined;
  beforeAll(async () => {
    opened = await openTestDb();
  });
  afterAll(async () => {
    await opened?.drop();
    await opened?.client.close();
  });
  return () => {
    if (!opened) throw new Error('useTestDb: the database opens in beforeAll');
    return opened.db;
  };
}
