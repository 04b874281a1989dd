import type { OutboxEvent } from '../../../src/core/types';
import { toKafkaMessage } from '../../../src/events/cloudevents';
import { InMemoryEventPublisher } from '../../../src/events/memory';
import type { Outbox } from '../../../src/events/ports';
import { OutboxRelay } from '../../../src/events/relay';
import { memoryLogger } from '../../helpers/silent-logger';

class ArrayOutbox implements Outbox {
  constructor(public events: Array<OutboxEvent & { published?: boolean }>) {}
  async pending(limit: number): Promise<OutboxEvent[]> {
    return this.events.filter((e) => !e.published).slice(0, limit);
  }
  async markPublished(ids: string[]): Promise<void> {
    for (const e of this.events) if (ids.includes(e.id)) e.published = true;
  }
}

const ev = (n: number): OutboxEvent => ({
  id: `id-${n}`, topic: 'patient', key: 'K', type: 'org.passerelle.patient.created', subject: 'K', time: '2026-11-23T00:00:00Z', payload: { n },
});

describe('OutboxRelay', () => {
  it('publishes every pending event once, in order, in batches', async () => {
    const outbox = new ArrayOutbox([1, 2, 3, 4, 5].map(ev));
    const publisher = new InMemoryEventPublisher();
    await publisher.connect();
    const relay = new OutboxRelay({ outbox, publisher, logger: memoryLogger().logger, batchSize: 2 });
    await relay.flush();
    expect(publisher.published.map((e) => e.id)).toEqual(['id-1', 'id-2', 'id-3', 'id-4', 'id-5']);
    await relay.flush();
    expect(publisher.published).toHaveLength(5);
  });

  it('keeps events pending while the broker is down and delivers them after', async () => {
    const outbox = new ArrayOutbox([ev(1), ev(2)]);
    const publisher = new InMemoryEventPublisher();
    await publisher.connect();
    publisher.failNext = 2;
    const relay = new OutboxRelay({ outbox, publisher, logger: memoryLogger().logger });
    await expect(relay.drainOnce()).rejects.toThrow('outage');
    await expect(relay.drainOnce()).rejects.toThrow('outage');
    expect(await outbox.pending(10)).toHaveLength(2);
    await relay.flush();
    expect(publisher.published.map((e) => e.id)).toEqual(['id-1', 'id-2']);
  });

  it('retries with backoff when running in the background', async () => {
    const outbox = new ArrayOutbox([ev(1)]);
    const publisher = new InMemoryEventPublisher();
    await publisher.connect();
    publisher.failNext = 1;
    const relay = new OutboxRelay({ outbox, publisher, logger: memoryLogger().logger, idleMs: 5 });
    relay.start();
    await new Promise((r) => setTimeout(r, 600));
    await relay.stop();
    expect(publisher.published.map((e) => e.id)).toEqual(['id-1']);
  });
});

describe('toKafkaMessage', () => {
  it('sets the CloudEvents binary-mode headers of the contract', () => {
    const m = toKafkaMessage({ ...ev(1), transactionId: 'abc' }, 'moh-1');
    expect(m.headers).toEqual({
      ce_specversion: '1.0', ce_id: 'id-1', ce_source: 'urn:passerelle:moh-1', ce_type: 'org.passerelle.patient.created',
      ce_time: '2026-11-23T00:00:00Z', ce_subject: 'K', 'content-type': 'application/fhir+json', 'x-openhim-transactionid': 'abc',
    });
    expect(m.key).toBe('K');
  });

  it('omits the OpenHIM header when the change did not come through OpenHIM', () => {
    expect(toKafkaMessage(ev(1), 'x').headers['x-openhim-transactionid']).toBeUndefined();
  });
});
