/**
 * In-memory twins of the sync stores (unit tests, development): the same contract as the MongoDB
 * adapters (test/unit/sync/store-contract.ts runs on both).
 */
import type { OutboxEvent } from '../core/types';
import { deadLetterEvent, deadLetterEventId, deadLetterId, matchesFailureQuery, newDeadLetter } from './dead-letters';
import type { ChannelEventStore, ChannelStateStore, DeadLetter, DeadLetterStore, FailureQuery, NewDeadLetter, SyncRun, SyncRunStore } from './ports';

const clone = <T>(v: T): T => structuredClone(v);

/** Channel state in a Map. */
export class MemoryChannelStateStore implements ChannelStateStore {
  private readonly items = new Map<string, { value: unknown; updatedAt: string }>();

  async get<T>(channel: string, key: string): Promise<T | null> {
    const item = this.items.get(`${channel}|${key}`);
    return item ? (clone(item.value) as T) : null;
  }

  async put(channel: string, key: string, value: unknown): Promise<void> {
    this.items.set(`${channel}|${key}`, { value: clone(value), updatedAt: new Date().toISOString() });
  }

  async list<T>(channel: string, prefix: string): Promise<Array<{ key: string; value: T; updatedAt: string }>> {
    const head = `${channel}|${prefix}`;
    return [...this.items].filter(([k]) => k.startsWith(head)).sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => ({ key: k.slice(channel.length + 1), value: clone(v.value) as T, updatedAt: v.updatedAt }));
  }
}

/** Dead letters in a Map (and the DLQ outbox over them). */
export class MemoryDeadLetterStore implements DeadLetterStore {
  private readonly items = new Map<string, DeadLetter>();

  async record(failure: NewDeadLetter, at: string): Promise<DeadLetter> {
    const id = deadLetterId(failure);
    const existing = this.items.get(id);
    const next: DeadLetter = existing
      ? { ...existing, reason: failure.reason, issues: failure.issues, occurrences: existing.occurrences + 1, lastSeenAt: at, status: 'open', resolvedAt: undefined, ...(existing.status === 'resolved' ? { published: false, eventId: deadLetterEventId(id, existing.retries, existing.occurrences + 1) } : {}) }
      : newDeadLetter(id, failure, at);
    this.items.set(id, next);
    return clone(next);
  }

  async get(id: string): Promise<DeadLetter | null> {
    return clone(this.items.get(id) ?? null);
  }

  async list(q: FailureQuery): Promise<{ total: number; items: DeadLetter[] }> {
    const all = [...this.items.values()].filter((d) => matchesFailureQuery(d, q)).sort((a, b) => (a.lastSeenAt > b.lastSeenAt ? -1 : a.lastSeenAt < b.lastSeenAt ? 1 : a.id < b.id ? -1 : 1));
    return { total: all.length, items: clone(all.slice(q.offset, q.offset + q.limit)) };
  }

  async resolveRecords(channel: string, resourceType: string, resourceIds: string[], at: string): Promise<number> {
    const ids = new Set(resourceIds);
    let n = 0;
    for (const d of this.items.values()) {
      if (d.status === 'open' && d.channel === channel && d.resourceType === resourceType && d.resourceId !== undefined && ids.has(d.resourceId)) {
        Object.assign(d, { status: 'resolved', resolvedAt: at });
        n++;
      }
    }
    return n;
  }

  async resolve(id: string, at: string): Promise<void> {
    const d = this.items.get(id);
    if (d) Object.assign(d, { status: 'resolved', resolvedAt: at });
  }

  async retried(id: string, failure: Pick<DeadLetter, 'stage' | 'reason' | 'issues'>, at: string): Promise<void> {
    const d = this.items.get(id);
    if (d) Object.assign(d, { ...failure, retries: d.retries + 1, lastSeenAt: at, status: 'open', published: false, eventId: deadLetterEventId(id, d.retries + 1, d.occurrences) });
  }

  async countOpen(channel: string): Promise<number> {
    return [...this.items.values()].filter((d) => d.channel === channel && d.status === 'open').length;
  }

  async pending(limit: number): Promise<OutboxEvent[]> {
    return [...this.items.values()].filter((d) => !d.published).sort((a, b) => (a.lastSeenAt < b.lastSeenAt ? -1 : 1)).slice(0, limit).map(deadLetterEvent);
  }

  async markPublished(ids: string[]): Promise<void> {
    const published = new Set(ids);
    for (const d of this.items.values()) if (published.has(d.eventId)) d.published = true;
  }
}

/** Runs in an array. */
export class MemorySyncRunStore implements SyncRunStore {
  private readonly runs = new Map<string, SyncRun>();

  async save(run: SyncRun): Promise<void> {
    this.runs.set(run.id, clone(run));
  }

  async latest(channel: string): Promise<{ last: SyncRun | null; lastCaughtUp: SyncRun | null }> {
    const mine = [...this.runs.values()].filter((r) => r.channel === channel).sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
    return { last: clone(mine[0] ?? null), lastCaughtUp: clone(mine.find((r) => r.caughtUp) ?? null) };
  }

  async failInterrupted(at: string): Promise<number> {
    let n = 0;
    for (const r of this.runs.values()) {
      if (r.status === 'running') {
        Object.assign(r, { status: 'failed', finishedAt: at, error: 'interrupted: the process stopped during the run' });
        n++;
      }
    }
    return n;
  }
}

/** Channel events in a Map. */
export class MemoryChannelEventStore implements ChannelEventStore {
  private readonly events = new Map<string, { event: OutboxEvent; published: boolean }>();

  async add(event: OutboxEvent): Promise<boolean> {
    if (this.events.has(event.id)) return false;
    this.events.set(event.id, { event: clone(event), published: false });
    return true;
  }

  async has(id: string): Promise<boolean> {
    return this.events.has(id);
  }

  async pending(limit: number): Promise<OutboxEvent[]> {
    return [...this.events.values()].filter((e) => !e.published).slice(0, limit).map((e) => clone(e.event));
  }

  async markPublished(ids: string[]): Promise<void> {
    for (const id of ids) {
      const e = this.events.get(id);
      if (e) e.published = true;
    }
  }
}
