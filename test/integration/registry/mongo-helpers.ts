/**
 * The Mongo registry store in a test database (test/helpers/test-db.ts opens the database).
 */
import type { Db } from 'mongodb';
import { createMongoRegistryStore, ensureIndexes } from '../../../src/registry/mongo/mongo-store';
import type { RegistryStore } from '../../../src/registry/store';

export { openTestDb, useTestDb } from '../../helpers/test-db';

/** A Mongo registry store with its indexes, in `db` (`keysPerQuery`: lookups split into queries of that many keys). */
export async function mongoStore(db: Db, prefix = 'registry_', keysPerQuery = 0): Promise<RegistryStore> {
  await ensureIndexes(db, prefix);
  return createMongoRegistryStore(db, prefix, { keysPerQuery });
}
