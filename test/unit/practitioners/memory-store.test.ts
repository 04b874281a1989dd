import { MemoryPractitionerStore } from '../../../src/practitioners/memory-store';
import { practitionerStoreContract } from './store-contract';

practitionerStoreContract('memory', async () => new MemoryPractitionerStore());
