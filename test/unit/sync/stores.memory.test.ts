import { MemoryChannelEventStore, MemoryChannelStateStore, MemoryDeadLetterStore, MemorySyncRunStore } from '../../../src/sync/memory-stores';
import { syncStoreContract } from './store-contract';

syncStoreContract('memory', async () => ({ state: new MemoryChannelStateStore(), deadLetters: new MemoryDeadLetterStore(), runs: new MemorySyncRunStore(), events: new MemoryChannelEventStore() }));
