/**
 * Two relays, as two processes would run them, over one registry (the memory twin, each relay with
 * its own claimant) while identity operations happen: every event goes out exactly once and each
 * key's events in commit order.
 */
import type { OutboxEvent } from '../../../src/core/types';
import type { EventPublisher } from '../../../src/events/ports';
import { OutboxRelay } from '../../../src/events/relay';
import { mulberry32 } from '../../../src/registry/matching/prng';
import { createMemoryRegistryStore } from '../../../src/registry/memory/memory-store';
import { runIdentityWorkload } from '../../helpers/identity-workload';
import { memoryLogger } from '../../helpers/silent-logger';
import { makeService } from '../registry/helpers';

jest.setTimeout(60000);

/** A broker shared by both relays: each publish lands after a random delay, in the order given. */
function sharedBroker(seed: number): { log: OutboxEvent[]; publisher(): EventPublisher } {
  const log: OutboxEvent[] = [];
  const rand = mulberry32(seed);
  return {
    log,
    publisher: () => ({
      connect: async () => undefined,
      disconnect: async () => undefined,
      ping: async () => true,
      publish: async (events) => {
        await new Promise((r) => setTimeout(r, Math.floor(rand() * 4)));
        log.push(...events);
      },
    }),
  };
}

const orderByKey = (events: OutboxEvent[]): Map<string, string[]> => {
  const m = new Map<string, string[]>();
  for (const e of events) m.set(`${e.topic}|${e.key}`, [...(m.get(`${e.topic}|${e.key}`) ?? []), e.id]);
  return m;
};

test.each([3, 4, 5])('two relays at once deliver every event once, in commit order per key (seed %i)', async (seed) => {
  const store = createMemoryRegistryStore();
  const { service } = makeService(store);
  const broker = sharedBroker(seed);
  const relays = ['proc-a', 'proc-b'].map((holder) => new OutboxRelay({ outbox: store.outboxFor({ holder, leaseMs: 60000 }), publisher: broker.publisher(), logger: memoryLogger().logger, batchSize: 5, idleMs: 1 }));
  for (const r of relays) r.start();
  await runIdentityWorkload(service, seed, 200);
  for (;;) {
    if ((await store.outbox.lag()).count === 0) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(relays.map((r) => r.stop()));
  const committed = (await store.outbox.retained({ since: '1970-01-01T00:00:00.000Z' }, { after: null, limit: 100_000 })).events;
  const ids = broker.log.map((e) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
  expect([...ids].sort()).toEqual(committed.map((e) => e.id).sort());
  expect(orderByKey(broker.log)).toEqual(orderByKey(committed));
  // Both took part.
  expect(relays.every((r) => r.publishedCount > 0)).toBe(true);
});
