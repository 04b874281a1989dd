/** In-memory PractitionerStore (tests, development), with its event outbox. */
import type { Practitioner } from 'fhir/r4';
import type { OutboxEvent } from '../core/types';
import type { PractitionerChange, PractitionerQuery, PractitionerStore } from './port';
import { normalizePractitionerName, practitionerSearchFields } from './port';
import { buildPractitionerEvent, practitionerEventType, samePractitioner } from './events';
import type { PractitionerOutbox } from './events';
import { jsonClone } from '../core/json-clone';

function matches(p: Practitioner, q: PractitionerQuery): boolean {
  const f = practitionerSearchFields(p);
  const prefix = (tokens: string[], values: string[] | undefined): boolean =>
    (values ?? []).every((v) => tokens.some((t) => t.startsWith(normalizePractitionerName(v))));
  return (
    prefix(f.names, q.name) &&
    prefix(f.family, q.family) &&
    prefix(f.given, q.given) &&
    (q.active === undefined || f.active === q.active) &&
    (q.identifier ?? []).every((c) => (p.identifier ?? []).some((i) => (c.system === undefined || i.system === c.system) && (c.value === undefined || i.value === c.value)))
  );
}

/** A Map-backed PractitionerStore. */
export class MemoryPractitionerStore implements PractitionerStore {
  private readonly items = new Map<string, Practitioner>();
  /** Unpublished events in write order. */
  private readonly pendingEvents: OutboxEvent[] = [];

  /**
   * @param instance - instance name for the events' `ce_source`
   */
  constructor(private readonly instance = 'passerelle') {}

  /** @param id - logical id */
  async get(id: string): Promise<Practitioner | null> {
    return jsonClone(this.items.get(id) ?? null);
  }

  /** @param query - the search */
  async search(query: PractitionerQuery): Promise<{ total: number; items: Practitioner[] }> {
    const all = [...this.items.values()].filter((p) => matches(p, query)).sort((a, b) => ((a.id ?? '') < (b.id ?? '') ? -1 : 1));
    return { total: all.length, items: jsonClone(all.slice(query.offset, query.offset + query.count)) };
  }

  /**
   * @param practitioner - the Practitioner with its id
   * @param change - the OpenHIM transaction it came through, if any
   */
  async upsert(practitioner: Practitioner & { id: string }, change: PractitionerChange = {}): Promise<Practitioner> {
    const prev = this.items.get(practitioner.id) ?? null;
    if (prev && samePractitioner(prev, practitioner)) return jsonClone(prev);
    const version = Number(prev?.meta?.versionId ?? 0) + 1;
    const stored = { ...jsonClone(practitioner), meta: { ...practitioner.meta, versionId: String(version), lastUpdated: new Date().toISOString() } };
    this.items.set(practitioner.id, stored);
    this.pendingEvents.push(buildPractitionerEvent(practitionerEventType(prev, stored), jsonClone(stored), this.instance, change.transactionId));
    return jsonClone(stored);
  }

  /** The store's outbox (relayed with the registry's). */
  readonly outbox: PractitionerOutbox = {
    pending: async (limit) => jsonClone(this.pendingEvents.slice(0, limit)),
    markPublished: async (ids) => {
      const done = new Set(ids);
      for (let i = this.pendingEvents.length - 1; i >= 0; i--) if (done.has((this.pendingEvents[i] as OutboxEvent).id)) this.pendingEvents.splice(i, 1);
    },
    lag: async () => ({ count: this.pendingEvents.length, oldestAt: this.pendingEvents[0]?.time ?? null }),
  };
}
