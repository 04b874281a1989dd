import { MemoryPractitionerStore } from '../../../src/fhir/practitioner-memory';
import { practitionerStoreContract } from './store-contract';

practitionerStoreContract('memory', async () => new MemoryPractitionerStore());
