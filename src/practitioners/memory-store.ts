/** In-memory PractitionerStore (tests, development). */
import type { Practitioner } from 'fhir/r4';
import type { PractitionerQuery, PractitionerStore } from './port';
import { normalizePractitionerName, practitionerSearchFields } from './port';
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

  /** @param id - logical id */
  async get(id: string): Promise<Practitioner | null> {
    return jsonClone(this.items.get(id) ?? null);
  }

  /** @param query - the search */
  async search(query: PractitionerQuery): Promise<{ total: number; items: Practitioner[] }> {
    const all = [...this.items.values()].filter((p) => matches(p, query)).sort((a, b) => ((a.id ?? '') < (b.id ?? '') ? -1 : 1));
    return { total: all.length, items: jsonClone(all.slice(query.offset, query.offset + query.count)) };
  }

  /** @param practitioner - the Practitioner with its id */
  async upsert(practitioner: Practitioner & { id: string }): Promise<Practitioner> {
    const prev = this.items.get(practitioner.id);
    const version = Number(prev?.meta?.versionId ?? 0) + 1;
    const stored: Practitioner = { ...jsonClone(practitioner), meta: { ...practitioner.meta, versionId: String(version), lastUpdated: new Date().toISOString() } };
    this.items.set(practitioner.id, stored);
    return jsonClone(stored);
  }
}
