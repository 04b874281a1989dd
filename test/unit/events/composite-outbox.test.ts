import type { OutboxEvent } from '../../../src/core/types';
import { compositeOutbox } from '../../../src/events/composite-outbox';
import type { Outbox } from '../../../src/events/ports';
import { InMemoryEventPublisher } from '../../../src/events/memory';
import { OutboxRelay } from '../../../src/events/relay';
import { MemoryPractitionerStore } from '../../../src/practitioners/memory-store';
import { memoryLogger } from '../../helpers/silent-logger';

const ev = (id: string, key: string, time: string): OutboxEvent => ({ id, topic: 'patient', key, type: 'org.passerelle.patient.created', subject: key, time, payload: {} });

function arrayOutbox(events: OutboxEvent[]): Outbox & { events: OutboxEvent[] } {
  return {
    events,
    pending: async (limit) => events.slice(0, limit),
    markPublished: async (ids) => {
      for (const id of ids) {
        const i = events.findIndex((e) => e.id === id);
        if (i >= 0) events.splice(i, 1);
      }
    },
    lag: async () => ({ count: events.length, oldestAt: events[0]?.time ?? null }),
  };
}

describe('compositeOutbox', () => {
  it('hands out a batch from each outbox, marks each event in its own, and sums the lag', async () => {
    const a = arrayOutbox([ev('a1', 'K', '2026-01-02T00:00:00Z'), ev('a2', 'K', '2026-01-03T00:00:00Z'), ev('a3', 'K', '2026-01-04T00:00:00Z')]);
    const b = arrayOutbox([ev('b1', 'P', '2026-01-01T00:00:00Z')]);
    const all = compositeOutbox([a, b]);
    expect(await all.lag?.()).toEqual({ count: 4, oldestAt: '2026-01-01T00:00:00Z' });
    const batch = await all.pending(2);
    expect(batch.map((e) => e.id)).toEqual(['a1', 'a2', 'b1']);
    await all.markPublished(batch.map((e) => e.id));
    expect(a.events.map((e) => e.id)).toEqual(['a3']);
    expect(b.events).toEqual([]);
  });

  it('relays practitioner events beside the registry outbox', async () => {
    const practitioners = new MemoryPractitionerStore('moh');
    await practitioners.upsert({ resourceType: 'Practitioner', id: 'hw-1', name: [{ family: 'Ba' }] });
    const publisher = new InMemoryEventPublisher();
    await publisher.connect();
    const relay = new OutboxRelay({ outbox: compositeOutbox([arrayOutbox([ev('a1', 'K', '2026-01-02T00:00:00Z')]), practitioners.outbox]), publisher, logger: memoryLogger().logger });
    await relay.flush();
    expect(publisher.published.map((e) => [e.topic, e.key, e.type])).toEqual([['patient', 'K', 'org.passerelle.patient.created'], ['practitioner', 'hw-1', 'org.passerelle.practitioner.created']]);
    expect(await practitioners.outbox.pending(10)).toEqual([]);
  });
});
