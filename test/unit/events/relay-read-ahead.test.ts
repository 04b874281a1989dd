/**
 * The relay reads the next batch while a full one goes to Kafka (a backlog): the read leaves out what
 * is being published, the next batch goes out only after the first was acknowledged, a failed publish
 * drops what was read ahead (published again later, in order), and a catch-up waiter is not answered
 * by a read that started before it asked.
 */
import type { OutboxEvent } from '../../../src/core/types';
import { InMemoryEventPublisher } from '../../../src/events/memory';
import type { Outbox } from '../../../src/events/ports';
import { OutboxRelay } from '../../../src/events/relay';
import { memoryLogger } from '../../helpers/silent-logger';

/** An outbox that records each read with the ids it was told are busy. */
class RecordingOutbox implements Outbox {
  readonly reads: Array<{ limit: number; busy: string[] }> = [];
  constructor(public events: Array<OutboxEvent & { published?: boolean }>) {}
  async pending(limit: number, busy?: ReadonlySet<string>): Promise<OutboxEvent[]> {
    this.reads.push({ limit, busy: [...(busy ?? [])].sort() });
    return this.events.filter((e) => !e.published).slice(0, limit);
  }
  async markPublished(ids: string[]): Promise<void> {
    for (const e of this.events) if (ids.includes(e.id)) e.published = true;
  }
}

const ev = (n: number, key = 'K'): OutboxEvent => ({
  id: `id-${n}`, topic: 'patient', key, type: 'org.passerelle.patient.updated', subject: key, time: '2026-12-08T00:00:00Z', payload: { n },
});

/** A publisher whose publishes wait for `release()` and log when they start and end. */
function gatedPublisher(log: string[]): InMemoryEventPublisher & { release(): void } {
  const publisher = new InMemoryEventPublisher() as InMemoryEventPublisher & { release(): void };
  const publish = publisher.publish.bind(publisher);
  let gate: () => void = () => undefined;
  publisher.release = () => gate();
  publisher.publish = async (events) => {
    log.push(`publish ${events.map((e) => e.id).join(',')}`);
    await new Promise<void>((r) => { gate = r; });
    await publish(events);
    log.push(`acked ${events.map((e) => e.id).join(',')}`);
  };
  return publisher;
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error(`not reached: ${check.toString()}`);
};

/**
 * A running relay (batches of 2) over `events`, its publisher gated, once its first batch is being
 * published and the next one was read ahead.
 * @param events - the outbox's events
 */
async function gatedRelay(events: OutboxEvent[]): Promise<{ outbox: RecordingOutbox; log: string[]; publisher: ReturnType<typeof gatedPublisher>; relay: OutboxRelay }> {
  const outbox = new RecordingOutbox(events);
  const log: string[] = [];
  const publisher = gatedPublisher(log);
  await publisher.connect();
  const relay = new OutboxRelay({ outbox, publisher, logger: memoryLogger().logger, batchSize: 2, idleMs: 5 });
  relay.start();
  await until(() => outbox.reads.length >= 2);
  return { outbox, log, publisher, relay };
}

describe('OutboxRelay read-ahead', () => {
  it('reads the next batch while a full one is published, leaving it out, and publishes it only after the ack', async () => {
    const { outbox, log, publisher, relay } = await gatedRelay([1, 2, 3, 4, 5].map((n) => ev(n)));
    // The second read ran while id-1,id-2 were being published, and was told they were busy.
    expect(outbox.reads[1]).toEqual({ limit: 4, busy: ['id-1', 'id-2'] });
    expect(log).toEqual(['publish id-1,id-2']);
    for (const batch of ['id-1,id-2', 'id-3,id-4', 'id-5']) {
      await until(() => log.includes(`publish ${batch}`));
      publisher.release();
      await until(() => log.includes(`acked ${batch}`));
    }
    await relay.whenCaughtUp();
    await relay.stop();
    expect(log).toEqual(['publish id-1,id-2', 'acked id-1,id-2', 'publish id-3,id-4', 'acked id-3,id-4', 'publish id-5', 'acked id-5']);
    expect(publisher.published.map((e) => e.id)).toEqual(['id-1', 'id-2', 'id-3', 'id-4', 'id-5']);
  });

  it('drops what it read ahead when the publish fails, and publishes everything later in order', async () => {
    const outbox = new RecordingOutbox([1, 2, 3, 4, 5, 6].map((n) => ev(n, n % 2 === 0 ? 'A' : 'B')));
    const publisher = new InMemoryEventPublisher();
    await publisher.connect();
    publisher.failNext = 1;
    const relay = new OutboxRelay({ outbox, publisher, logger: memoryLogger().logger, batchSize: 2, idleMs: 5, maxBackoffMs: 20 });
    relay.start();
    await relay.whenCaughtUp();
    await relay.stop();
    expect(publisher.published.map((e) => e.id)).toEqual(['id-1', 'id-2', 'id-3', 'id-4', 'id-5', 'id-6']);
    expect(await outbox.pending(10)).toEqual([]);
  });

  it('does not answer a catch-up waiter with a batch read before it asked', async () => {
    // id-1,id-2 are being published and the next batch was read ahead (empty then).
    const { outbox, log, publisher, relay } = await gatedRelay([1, 2].map((n) => ev(n)));
    outbox.events.push(ev(3));
    let caughtUp = false;
    const waiting = relay.whenCaughtUp().then(() => { caughtUp = true; });
    publisher.release();
    await until(() => log.includes('publish id-3'));
    expect(caughtUp).toBe(false);
    publisher.release();
    await waiting;
    await relay.stop();
    expect(publisher.published.map((e) => e.id)).toEqual(['id-1', 'id-2', 'id-3']);
  });
});
