/**
 * The contract's promise (contracts.md §3): a consumer that applies the history entries of the
 * patient topic ends with the same identities as the MPI. A seeded mix of every identity operation
 * runs on the memory registry; its events are delivered as Kafka would (order kept per key, keys
 * interleaved at random, some events delivered twice) to a consumer that keeps the newest version
 * of each Patient; then every golden and source Patient is compared.
 */
import type { OutboxEvent } from '../../../src/core/types';
import { mulberry32 } from '../../../src/registry/matching/prng';
import { IdentityMirror, identityDifferences, registryIdentities } from '../../helpers/identity-mirror';
import { runIdentityWorkload } from '../../helpers/identity-workload';
import { expectValidEvent } from '../../helpers/event-schema';
import { makeService } from '../registry/helpers';

/** Interleave per-key queues at random (Kafka partitions), re-delivering ~5 % of events. */
function asKafkaDelivers(events: OutboxEvent[], seed: number): OutboxEvent[] {
  const rand = mulberry32(seed);
  const queues = new Map<string, OutboxEvent[]>();
  for (const e of events) queues.set(e.key, [...(queues.get(e.key) ?? []), e]);
  const out: OutboxEvent[] = [];
  const live = [...queues.values()];
  while (live.length > 0) {
    const i = Math.floor(rand() * live.length);
    const q = live[i] as OutboxEvent[];
    const e = q.shift() as OutboxEvent;
    out.push(e);
    if (rand() < 0.05) out.push(e);
    if (q.length === 0) live.splice(i, 1);
  }
  return out;
}

describe.each([1, 2, 3, 4, 5])('patient events replay to the MPI state (seed %i)', (seed) => {
  test('every golden and source Patient of the MPI, and nothing else', async () => {
    const { service, store } = makeService();
    const tally = await runIdentityWorkload(service, seed, 160);
    const events = await store.outbox.pending(100_000);
    const mirror = new IdentityMirror();
    for (const e of asKafkaDelivers(events, seed)) mirror.apply(e);
    const mpi = await registryIdentities(store);
    expect(identityDifferences(mpi, mirror.patients)).toEqual([]);
    // The mix really exercised the operations (each ran at least once).
    for (const op of ['register', 'update', 'deactivate', 'link', 'unlink', 'merge', 'unmerge', 'review', 'addIdentifier', 'patch', 'transaction']) {
      expect(tally[op]?.ok ?? 0).toBeGreaterThan(0);
    }
    expect(mirror.duplicates).toBeGreaterThan(0);
  });
});

describe('every event the mix produces is valid', () => {
  test('against schemas/identity-event.schema.json and the FHIR R4 schema', async () => {
    const { service, store } = makeService();
    await runIdentityWorkload(service, 7, 120);
    const events = await store.outbox.pending(100_000);
    const types = new Set(events.map((e) => e.type));
    for (const e of events) expectValidEvent(e);
    expect([...types].sort()).toEqual([
      'org.passerelle.patient.created', 'org.passerelle.patient.deactivated', 'org.passerelle.patient.linked', 'org.passerelle.patient.merged',
      'org.passerelle.patient.unlinked', 'org.passerelle.patient.unmerged', 'org.passerelle.patient.updated',
      'org.passerelle.review.opened', 'org.passerelle.review.resolved',
    ]);
  });
});
