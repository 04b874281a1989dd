/**
 * Several outboxes drained by one relay: the registry's change log, the practitioner store's, the `2xx`
 * queue, the channels' dead letters and role events. Each keeps its own order, and each gets a full
 * batch per round, so a busy registry does not starve health-worker events. One key spans two of
 * them: a health worker's role events (sync) share its key with its practitioner events; they are
 * listed after the practitioner store, so within one process a role event never goes out ahead of a
 * practitioner event read in the same round (across processes, see the README's "Several mediator
 * processes").
 */
import type { OutboxEvent } from '../core/types';
import type { Outbox, OutboxLag } from './ports';

/**
 * One Outbox over several.
 * @param outboxes - the outboxes, in the order their batches are published
 */
export function compositeOutbox(outboxes: Outbox[]): Outbox {
  // Which outbox each event handed out came from, so markPublished reaches the right one.
  const owner = new Map<string, Outbox>();
  return {
    async pending(limit: number, busy?: ReadonlySet<string>): Promise<OutboxEvent[]> {
      const batches = await Promise.all(outboxes.map((o) => o.pending(limit, busy)));
      // Keep the owners of what is still being published or marked (the relay reads the next batch
      // meanwhile); the rest were handed out and not published (a failed publish): handed out again now.
      for (const id of owner.keys()) if (!busy?.has(id)) owner.delete(id);
      batches.forEach((events, i) => {
        for (const e of events) owner.set(e.id, outboxes[i] as Outbox);
      });
      return batches.flat();
    },
    async markPublished(ids: string[]): Promise<void> {
      const byOwner = new Map<Outbox, string[]>();
      for (const id of ids) {
        const targets = owner.has(id) ? [owner.get(id) as Outbox] : outboxes;
        owner.delete(id);
        for (const o of targets) {
          const list = byOwner.get(o);
          if (list) list.push(id);
          else byOwner.set(o, [id]);
        }
      }
      await Promise.all([...byOwner].map(([o, list]) => o.markPublished(list)));
    },
    async release(): Promise<void> {
      await Promise.all(outboxes.map((o) => o.release?.() ?? Promise.resolve()));
    },
    async prune(before: string): Promise<number> {
      const counts = await Promise.all(outboxes.map((o) => o.prune?.(before) ?? Promise.resolve(0)));
      return counts.reduce((a, b) => a + b, 0);
    },
    async lag(): Promise<OutboxLag> {
      const lags = await Promise.all(outboxes.map((o) => o.lag?.() ?? Promise.resolve({ count: 0, oldestAt: null })));
      const oldest = lags.map((l) => l.oldestAt).filter((t): t is string => t !== null).sort()[0] ?? null;
      return { count: lags.reduce((n, l) => n + l.count, 0), oldestAt: oldest };
    },
  };
}
