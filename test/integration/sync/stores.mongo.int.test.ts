import { MongoChannelEventStore, MongoChannelStateStore, MongoDeadLetterStore, MongoSyncRunStore } from '../../../src/sync/mongo-stores';
import { syncStoreContract } from '../../unit/sync/store-contract';
import { openTestDb } from '../registry/mongo-helpers';

const opened: Array<Awaited<ReturnType<typeof openTestDb>>> = [];
afterAll(async () => {
  for (const o of opened) {
    await o.drop();
    await o.client.close();
  }
});

// A database per test: the stores' collection names are fixed.
syncStoreContract('mongo', async () => {
  const o = await openTestDb();
  opened.push(o);
  const stores = { state: new MongoChannelStateStore(o.db), deadLetters: new MongoDeadLetterStore(o.db), runs: new MongoSyncRunStore(o.db), events: new MongoChannelEventStore(o.db) };
  await Promise.all([stores.state.init(), stores.deadLetters.init(), stores.runs.init(), stores.events.init()]);
  return stores;
});
