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

describe('OutboxRelay bookkeeping', () => {
  it('publishes the next batch while the previous one is being marked, never handing an event out twice', async () => {
    const outbox = new ArrayOutbox([1, 2, 3, 4, 5, 6].map(ev));
    const slowMark = outbox.markPublished.bind(outbox);
    const order: string[] = [];
    outbox.markPublished = async (ids) => {
      order.push(`mark ${ids.join(',')} start`);
      await new Promise((r) => setTimeout(r, 30));
      await slowMark(ids);
      order.push(`mark ${ids.join(',')} end`);
    };
    const publisher = new InMemoryEventPublisher();
    await publisher.connect();
    const publish = publisher.publish.bind(publisher);
    publisher.publish = async (events) => {
      order.push(`publish ${events.map((e) => e.id).join(',')}`);
      await publish(events);
    };
    const relay = new OutboxRelay({ outbox, publisher, logger: memoryLogger().logger, batchSize: 2 });
    await relay.flush();
    expect(publisher.published.map((e) => e.id)).toEqual(['id-1', 'id-2', 'id-3', 'id-4', 'id-5', 'id-6']);
    expect(order.slice(0, 3)).toEqual(['publish id-1,id-2', 'mark id-1,id-2 start', 'publish id-3,id-4']);
    expect(await outbox.pending(10)).toEqual([]);
  });

  it('fails the drain that follows a batch it could not mark (backoff), and publishes that batch again (same ids)', async () => {
    const outbox = new ArrayOutbox([ev(1), ev(2)]);
    const mark = outbox.markPublished.bind(outbox);
    let failures = 1;
    outbox.markPublished = async (ids) => {
      if (failures-- > 0) throw new Error('store unreachable');
      await mark(ids);
    };
    const publisher = new InMemoryEventPublisher();
    await publisher.connect();
    const relay = new OutboxRelay({ outbox, publisher, logger: memoryLogger().logger });
    await expect(relay.flush()).rejects.toThrow('store unreachable');
    await relay.flush();
    expect(publisher.published.map((e) => e.id)).toEqual(['id-1', 'id-2', 'id-1', 'id-2']);
    expect(await outbox.pending(10)).toEqual([]);
  });
});

describe('OutboxRelay.stop', () => {
  it('gives up the claims left after its last drain, so other processes take them at once', async () => {
    const outbox = new ArrayOutbox([ev(1)]);
    const calls: string[] = [];
    const claiming: Outbox = { pending: (n) => outbox.pending(n), markPublished: (ids) => outbox.markPublished(ids), release: async () => void calls.push('release') };
    const publisher = new InMemoryEventPublisher();
    await publisher.connect();
    publisher.failNext = 5;
    const relay = new OutboxRelay({ outbox: claiming, publisher, logger: memoryLogger().logger });
    await relay.stop();
    expect(calls).toEqual(['release']);
    expect(publisher.published).toEqual([]);
  });

  it('is final: a start that comes after it (Kafka connecting late) does not relay again', async () => {
    const outbox = new ArrayOutbox([]);
    const publisher = new InMemoryEventPublisher();
    await publisher.connect();
    const relay = new OutboxRelay({ outbox, publisher, logger: memoryLogger().logger, idleMs: 5 });
    await relay.stop();
    relay.start();
    outbox.events.push(ev(1));
    relay.nudge();
    await new Promise((r) => setTimeout(r, 50));
    expect(publisher.published).toEqual([]);
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
