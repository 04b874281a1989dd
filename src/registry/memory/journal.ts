/**
 * The in-memory twin's journal (write-ahead record of each change, also the outbox) and history.
 * Cold data is kept as JSON text: a change's events and each history version are read back rarely
 * (relay, history API) but would otherwise hold several times their size in object headers —
 * decisive when a benchmark loads 100k records into memory. JSON text is also a copy by nature.
 */
import { MediatorError } from '../../core/errors';
import type { OutboxEvent } from '../../core/types';
import type { HistoryEntry } from '../ports';
import type { Change, HistoryStore, JournalStore, OutboxStore } from '../store';
import { Groups } from './groups';

/** A change as kept: its bulky parts (ops, events) as JSON text, read back only by recovery and the relay. */
type StoredChange = Omit<Change, 'events' | 'ops'> & { opsJson: string; eventsJson: string };

function toChange(c: StoredChange): Change {
  const { opsJson, eventsJson, ...rest } = c;
  return { ...rest, guards: [...rest.guards], unpublished: [...rest.unpublished], ops: JSON.parse(opsJson) as Change['ops'], events: JSON.parse(eventsJson) as OutboxEvent[] };
}

/** Journal and outbox over one map of changes, with guards and seq order. */
export function createMemoryJournal(): { journal: JournalStore; outbox: OutboxStore } {
  const changes = new Map<string, StoredChange>();
  const guards = new Set<string>();
  // Change ids awaiting apply / publication, in seq order (Sets keep insertion order).
  const unappliedIds = new Set<string>();
  const unpublishedIds = new Set<string>();
  let seq = 0;

  const journal: JournalStore = {
    append: async (change) => {
      if (change.guards.some((g) => guards.has(g)) || changes.has(change.id)) {
        throw new MediatorError('conflict', 'concurrent change on the same record', { guards: change.guards });
      }
      change.guards.forEach((g) => guards.add(g));
      const { events, ops, ...rest } = change;
      const stored: StoredChange = { ...structuredClone(rest), seq: ++seq, opsJson: JSON.stringify(ops), eventsJson: JSON.stringify(events) };
      changes.set(change.id, stored);
      if (!stored.applied) unappliedIds.add(change.id);
      if (stored.unpublished.length > 0) unpublishedIds.add(change.id);
      // The caller's own change, numbered: what is stored is already a copy (JSON text).
      return { ...change, seq: stored.seq };
    },
    markApplied: async (id) => {
      const c = changes.get(id);
      if (!c) return;
      c.applied = true;
      unappliedIds.delete(id);
      // Finished (no events left to publish): retired, as the Mongo store does; its guards stay.
      if (!unpublishedIds.has(id)) changes.delete(id);
    },
    unapplied: async (limit) => [...unappliedIds].slice(0, limit).map((id) => toChange(changes.get(id) as StoredChange)),
    get: async (id) => {
      const c = changes.get(id);
      return c ? toChange(c) : null;
    },
    // Changes are retired as they finish: nothing is ever left behind here.
    retireFinished: async () => 0,
  };

  const outbox: OutboxStore = {
    pending: async (limit) => {
      const out: OutboxEvent[] = [];
      for (const id of unpublishedIds) {
        if (out.length >= limit) break;
        const c = changes.get(id) as StoredChange;
        if (c.applied) out.push(...(JSON.parse(c.eventsJson) as OutboxEvent[]).filter((ev) => c.unpublished.includes(ev.id)));
      }
      return out.slice(0, limit);
    },
    lag: async () => {
      let count = 0;
      let oldestAt: string | null = null;
      for (const id of unpublishedIds) {
        const c = changes.get(id) as StoredChange;
        count += c.unpublished.length;
        oldestAt ??= c.at;
      }
      return { count, oldestAt };
    },
    markPublished: async (ids) => {
      const published = new Set(ids);
      for (const id of [...unpublishedIds]) {
        const c = changes.get(id) as StoredChange;
        c.unpublished = c.unpublished.filter((e) => !published.has(e));
        if (c.unpublished.length > 0) continue;
        unpublishedIds.delete(id);
        if (c.applied) changes.delete(id);
      }
    },
  };
  return { journal, outbox };
}

/** Version history; each version kept as JSON text beside the fields lists filter and sort on. */
export function createMemoryHistory(): HistoryStore {
  const versions = new Map<string, { at: string; id: string; json: string }>();
  const byRecord = new Groups();
  const parse = (v: { json: string }): HistoryEntry => JSON.parse(v.json) as HistoryEntry;
  return {
    append: async (e) => {
      const k = `${e.kind}\u0000${e.id}\u0000${e.version}`;
      if (versions.has(k)) return;
      versions.set(k, { at: e.at, id: e.id, json: JSON.stringify(e) });
      byRecord.add(`${e.kind}\u0000${e.id}`, k);
    },
    list: async (kind, id) => byRecord.pick(`${kind}\u0000${id}`, versions).map(parse).sort((a, b) => a.version - b.version),
    all: async (o) => {
      const items = [...versions.values()]
        .filter((e) => !o.since || e.at >= o.since)
        .sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1));
      return { total: items.length, items: items.slice(o.offset, o.offset + o.count).map(parse) };
    },
  };
}
