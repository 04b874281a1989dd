/**
 * The running relay reads the next batch while a full one is published: the read leaves out the
 * events in flight, a failed publish drops the batch read ahead (order kept, nothing lost), and a
 * batch read ahead never tells a caller waiting for the relay that it caught up.
 */
import type { OutboxEvent } from '../../../src/core/types';
import { InMemoryEventPublisher } from '../../../src/events/memory';
import type { Outbox } from '../../../src/events/ports';
import { OutboxRelay } from '../../../src/events/relay';
import { memoryLogger } from '../../helpers/silent-logger';
import { eventually } from '../../helpers/stack-app';

/** Outbox of an array; ignores `exclude` (the relay filters), records each read's exclusions. */
class ArrayOutbox implements Outbox {
  readonly reads: string[][] = [];
  constructor(public events: Array<OutboxEvent & { published?: boolean }>) {}
  async pending(limit: number, exclude: ReadonlySet<string> = new Set()): Promise<OutboxEvent[]> {
    this.reads.push([...exclude].sort());
    return this.events.filter((e) => !e.published).slice(0, limit);
  }
  async markPublished(ids: string[]): Promise<void> {
    for (const e of this.events) if (ids.includes(e.id)) e.published = true;
  }
}

const ev = (n: number): OutboxEvent => ({
  id: `id-${n}`, topic: 'patient', key: 'K', type: 'org.passerelle.patient.created', subject: 'K', time: '2026-11-23T00:00:00Z', payload: { n },
});

/** A publisher whose every publish takes `ms`, logging start and end. */
async function slowPublisher(ms: number, log: string[]): Promise<InMemoryEventPublisher> {
  const publisher = new InMemoryEventPublisher();
  await publisher.connect();
  const publish = publisher.publish.bind(publisher);
  publisher.publish = async (events) => {
    const ids = events.map((e) => e.id).join(',');
    log.push(`publish ${ids}`);
    await new Promise((r) => setTimeout(r, ms));
    await publish(events);
    log.push(`acked ${ids}`);
  };
  return publisher;
}

describe('OutboxRelay reading ahead', () => {
  it('reads the next batch while a full one is published, leaving out the events in flight', async () => {
    const outbox = new ArrayOutbox([1, 2, 3, 4, 5, 6].map(ev));
    const log: string[] = [];
    const publisher = await slowPublisher(30, log);
    const pending = outbox.pending.bind(outbox);
    outbox.pending = async (limit, exclude) => {
      log.push('read');
      return pending(limit, exclude);
    };
    const relay = new OutboxRelay({ outbox, publisher, logger: memoryLogger().logger, batchSize: 2, idleMs: 5 });
    relay.start();
    await eventually(async () => publisher.published.length === 6, 5000);
    await relay.stop();
    expect(publisher.published.map((e) => e.id)).toEqual(['id-1', 'id-2', 'id-3', 'id-4', 'id-5', 'id-6']);
    // The second read starts before the first batch is acknowledged.
    expect(log.slice(0, 4)).toEqual(['read', 'read', 'publish id-1,id-2', 'acked id-1,id-2']);
    expect(outbox.reads[1]).toEqual(['id-1', 'id-2']);
  });

  it('drops the batch read ahead when a publish fails: the failed batch goes first again, nothing lost', async () => {
    const outbox = new ArrayOutbox([1, 2, 3, 4, 5, 6].map(ev));
    const log: string[] = [];
    const publisher = await slowPublisher(10, log);
    const publish = publisher.publish.bind(publisher);
    let failOn = 'id-3';
    publisher.publish = async (events) => {
      if (events[0]?.id === failOn) {
        failOn = '';
        throw new Error('simulated broker outage');
      }
      await publish(events);
    };
    const relay = new OutboxRelay({ outbox, publisher, logger: memoryLogger().logger, batchSize: 2, idleMs: 5 });
    relay.start();
    await eventually(async () => publisher.published.length === 6, 5000);
    await relay.stop();
    expect(publisher.published.map((e) => e.id)).toEqual(['id-1', 'id-2', 'id-3', 'id-4', 'id-5', 'id-6']);
    expect(relay.health().failing).toBe(false);
  });

  it('does not report a caller caught up on a batch read before its events were committed', async () => {
    const outbox = new ArrayOutbox([1, 2, 3].map(ev));
    const publisher = await slowPublisher(20, []);
    const relay = new OutboxRelay({ outbox, publisher, logger: memoryLogger().logger, batchSize: 2, idleMs: 1000 });
    // While [1, 2] is published, [3] has been read ahead; then event 4 is committed and a caller waits.
    const publish = publisher.publish.bind(publisher);
    let caughtUp: Promise<string[]> | undefined;
    publisher.publish = async (events) => {
      if (events[0]?.id === 'id-1') {
        outbox.events.push(ev(4));
        caughtUp = relay.whenCaughtUp().then(() => publisher.published.map((e) => e.id));
      }
      await publish(events);
    };
    relay.start();
    await eventually(async () => caughtUp !== undefined, 2000);
    expect(await caughtUp).toEqual(['id-1', 'id-2', 'id-3', 'id-4']);
    await relay.stop();
  });
});
