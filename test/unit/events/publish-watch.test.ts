/**
 * The Kafka publishes of a request through OpenHIM as orchestrations: the relay tells its observers
 * about each batch, catches up with the outbox on request, and the watch turns the batches that
 * carry a watched transaction's events into one orchestration per topic.
 */
import type { OutboxEvent } from '../../../src/core/types';
import { InMemoryEventPublisher } from '../../../src/events/memory';
import type { Outbox } from '../../../src/events/ports';
import { PublishWatch } from '../../../src/events/publish-watch';
import { OutboxRelay } from '../../../src/events/relay';
import { memoryLogger } from '../../helpers/silent-logger';

class ArrayOutbox implements Outbox {
  constructor(public events: Array<OutboxEvent & { published?: boolean }> = []) {}
  async pending(limit: number): Promise<OutboxEvent[]> {
    return this.events.filter((e) => !e.published).slice(0, limit);
  }
  async markPublished(ids: string[]): Promise<void> {
    for (const e of this.events) if (ids.includes(e.id)) e.published = true;
  }
}

const TOPICS = { patient: 'passerelle.patient.identity', practitioner: 'passerelle.practitioner.identity', review: 'passerelle.review', dlq: 'passerelle.ingest.dlq', bundle2xx: '2xx' };
const ev = (n: number, transactionId?: string, topic: OutboxEvent['topic'] = 'patient'): OutboxEvent => ({
  id: `id-${n}`, topic, key: 'K', type: topic === 'review' ? 'org.passerelle.review.opened' : 'org.passerelle.patient.created', subject: 'K', time: '2026-11-23T00:00:00Z', payload: { n },
  ...(transactionId ? { transactionId } : {}),
});

async function running(outbox: ArrayOutbox, batchSize = 500): Promise<{ relay: OutboxRelay; publisher: InMemoryEventPublisher }> {
  const publisher = new InMemoryEventPublisher();
  await publisher.connect();
  const relay = new OutboxRelay({ outbox, publisher, logger: memoryLogger().logger, batchSize, idleMs: 50 });
  relay.start();
  return { relay, publisher };
}

describe('the relay for a publish watch', () => {
  it('catches up with the outbox as it stood when asked, over several batches', async () => {
    const outbox = new ArrayOutbox();
    const { relay, publisher } = await running(outbox, 2);
    outbox.events.push(ev(1), ev(2), ev(3), ev(4), ev(5));
    await relay.whenCaughtUp();
    expect(publisher.published.map((e) => e.id)).toEqual(['id-1', 'id-2', 'id-3', 'id-4', 'id-5']);
    expect(await outbox.pending(10)).toEqual([]);
    await relay.stop();
  });

  it('tells every observer about each batch', async () => {
    const outbox = new ArrayOutbox([ev(1), ev(2)]);
    const { relay } = await running(outbox);
    const seen: string[][] = [];
    relay.addObserver({ published: (events) => void seen.push(events.map((e) => e.id)), failed: () => undefined });
    outbox.events.push(ev(3));
    await relay.whenCaughtUp();
    expect(seen.flat()).toContain('id-3');
    await relay.stop();
  });
});

describe('PublishWatch', () => {
  it("makes one orchestration per topic of each batch holding a watched transaction's events", async () => {
    const outbox = new ArrayOutbox();
    const { relay } = await running(outbox);
    const watch = new PublishWatch({ relay, brokers: ['kafka-1:9092'], topics: TOPICS, waitMs: 2000 });
    const mine = watch.watch('tx-1');
    outbox.events.push(ev(1, 'tx-1'), ev(2, 'tx-1', 'review'), ev(3, 'tx-2'), ev(4));
    const { orchestrations, pending } = await watch.settle('tx-1', mine, true);
    expect(pending).toBe(false);
    expect(orchestrations.map((o) => o.name).sort()).toEqual(['Kafka publish passerelle.patient.identity', 'Kafka publish passerelle.review']);
    const patient = orchestrations.find((o) => o.name.endsWith('identity'));
    expect(patient).toMatchObject({ request: { method: 'PRODUCE', url: 'kafka://kafka-1:9092/passerelle.patient.identity' }, response: { status: 200 } });
    expect(JSON.parse(patient!.request.body!)).toEqual({ messages: 1, types: { 'org.passerelle.patient.created': 1 }, ceIds: ['id-1'] });
    await relay.stop();
  });

  it('stops collecting once settled or forgotten', async () => {
    const outbox = new ArrayOutbox();
    const { relay } = await running(outbox);
    const watch = new PublishWatch({ relay, brokers: [], topics: TOPICS, waitMs: 2000 });
    const list = watch.watch('tx-1');
    watch.forget('tx-1', list);
    outbox.events.push(ev(1, 'tx-1'));
    await relay.whenCaughtUp();
    expect(list).toEqual([]);
    await relay.stop();
  });

  it('says events may still wait when the relay does not catch up in time, and does not wait when told not to', async () => {
    const outbox = new ArrayOutbox([ev(1, 'tx-1')]);
    const publisher = new InMemoryEventPublisher();
    const relay = new OutboxRelay({ outbox, publisher, logger: memoryLogger().logger }); // never started
    const watch = new PublishWatch({ relay, brokers: [], topics: TOPICS, waitMs: 50 });
    expect(await watch.settle('tx-1', watch.watch('tx-1'), true)).toEqual({ orchestrations: [], pending: true });
    const started = Date.now();
    expect(await watch.settle('tx-1', watch.watch('tx-1'), false)).toEqual({ orchestrations: [], pending: false });
    expect(Date.now() - started).toBeLessThan(50);
  });
});
