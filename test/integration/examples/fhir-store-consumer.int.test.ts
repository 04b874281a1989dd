/**
 * examples/fhir-store-consumer on the real broker against a FHIR store on loopback: after a mix of
 * every identity operation, the store holds exactly the MPI's identities — also when the store is
 * down for a while (the partition waits) and when the consumer is restarted mid-way (offsets were
 * committed after each write; what is delivered again is skipped by ce_id or by MPI version).
 */
import { FhirStoreConsumer } from '../../../examples/fhir-store-consumer/src/consumer';
import { loadConsumerConfig } from '../../../examples/fhir-store-consumer/src/config';
import { storeIdentities } from '../../helpers/consumer-store';
import { FhirStoreServer } from '../../helpers/fhir-store-server';
import { identityDifferences, registryIdentities } from '../../helpers/identity-mirror';
import { runIdentityWorkload } from '../../helpers/identity-workload';
import { testBrokers } from '../../helpers/kafka';
import { buildStackApp, eventually } from '../../helpers/stack-app';
import type { StackApp } from '../../helpers/stack-app';

jest.setTimeout(240000);

describe('FHIR store consumer example', () => {
  let s: StackApp;
  const store = new FhirStoreServer();
  let base: string;

  beforeAll(async () => {
    base = await store.start();
    s = await buildStackApp();
  });
  afterAll(async () => {
    await s?.close();
    await store.stop();
  });

  const consumerFor = (group: string): FhirStoreConsumer => new FhirStoreConsumer(
    loadConsumerConfig({ KAFKA_BROKERS: testBrokers().join(','), KAFKA_TOPIC: s.topics.patient, KAFKA_GROUP_ID: group, FHIR_BASE_URL: base }),
    () => undefined,
  );

  it('ends with exactly the MPI identities through a store outage and a consumer restart', async () => {
    const group = `${s.topics.patient}.consumer`;
    await runIdentityWorkload(s.app.registry.service, 41, 40);
    await s.app.relay.flush();
    const first = consumerFor(group);
    store.down = true;
    await first.start();
    await eventually(async () => store.requests > 3, 30000);
    store.down = false;
    await eventually(async () => first.stats.written > 5, 60000);
    await first.stop();

    await runIdentityWorkload(s.app.registry.service, 42, 40);
    await s.app.relay.flush();
    const total = (await s.app.registry.store.changes.allHistory({ offset: 0, count: 1 })).total;
    expect(total).toBeGreaterThan(0);
    const second = consumerFor(group);
    await second.start();
    try {
      const mpi = await registryIdentities(s.app.registry.store);
      await eventually(async () => identityDifferences(mpi, storeIdentities(store)).length === 0, 120000);
      expect(second.stats.refused + first.stats.refused).toBe(0);
    } finally {
      await second.stop();
    }
  });
});
