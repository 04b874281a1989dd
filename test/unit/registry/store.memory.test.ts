import { createMemoryRegistryStore } from '../../../src/registry/memory/memory-store';
import { registryStoreContract } from './store-contract';

registryStoreContract('memory', async () => ({ store: createMemoryRegistryStore(), cleanup: async () => undefined }));
