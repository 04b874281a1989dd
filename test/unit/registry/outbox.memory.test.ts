import { createMemoryRegistryStore } from '../../../src/registry/memory/memory-store';
import { outboxClaimsContract } from './outbox-contract';

outboxClaimsContract('memory', async () => {
  const store = createMemoryRegistryStore();
  return { store, outboxFor: (claimant) => store.outboxFor(claimant), cleanup: async () => undefined };
});
