import type { Outbox } from '../../../src/events/ports';
import { OutboxRetention } from '../../../src/events/retention';
import { memoryLogger } from '../../helpers/silent-logger';

function outbox(prune: (before: string) => Promise<number>): Outbox {
  return { pending: async () => [], markPublished: async () => undefined, prune };
}

describe('OutboxRetention', () => {
  test('prunes what is older than the retention period, at start and then on its timer', async () => {
    jest.useFakeTimers({ now: new Date('2026-03-31T00:00:00.000Z'), doNotFake: ['nextTick', 'setImmediate'] });
    try {
      const cuts: string[] = [];
      const job = new OutboxRetention({ outbox: outbox(async (b) => { cuts.push(b); return 2; }), logger: memoryLogger().logger, days: 30, intervalMs: 60000 });
      job.start();
      await Promise.resolve();
      expect(cuts).toEqual(['2026-03-01T00:00:00.000Z']);
      await jest.advanceTimersByTimeAsync(60000);
      expect(cuts).toHaveLength(2);
      await job.stop();
      await jest.advanceTimersByTimeAsync(120000);
      expect(cuts).toHaveLength(2);
    } finally {
      jest.useRealTimers();
    }
  });

  test('0 days keeps everything; a failed run is logged and the next one tries again', async () => {
    const prune = jest.fn(async () => 1);
    const kept = new OutboxRetention({ outbox: outbox(prune), logger: memoryLogger().logger, days: 0, intervalMs: 1000 });
    kept.start();
    expect(await kept.runOnce()).toBe(0);
    expect(prune).not.toHaveBeenCalled();
    const { logger, lines } = memoryLogger();
    let fail = true;
    const job = new OutboxRetention({ outbox: outbox(async () => { if (fail) throw new Error('store down'); return 3; }), logger, days: 7, intervalMs: 1000 });
    expect(await job.runOnce()).toBe(0);
    expect(JSON.stringify(lines)).toContain('outbox retention run failed');
    fail = false;
    expect(await job.runOnce()).toBe(3);
  });
});
