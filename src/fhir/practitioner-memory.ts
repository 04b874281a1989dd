/** In-memory PractitionerStore (tests, development, until the MongoDB adapter exists). */
import type { Practitioner } from 'fhir/r4';
import type { PractitionerQuery, PractitionerStore } from './practitioner-port';
import { jsonClone } from './json-clone';

function norm(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().trim();
}

function nameTokens(p: Practitioner, part: 'family' | 'given' | 'any'): string[] {
  return (p.name ?? []).flatMap((n) => {
    const family = n.family ? [n.family] : [];
    const given = n.given ?? [];
    const all = part === 'family' ? family : part === 'given' ? given : [...family, ...given, ...(n.text ? [n.text] : [])];
    return all.map(norm);
  });
}

function matches(p: Practitioner, q: PractitionerQuery): boolean {
  const prefix = (tokens: string[], values: string[] | undefined): boolean => (values ?? []).every((v) => tokens.some((t) => t.startsWith(norm(v))));
  return (
    prefix(nameTokens(p, 'any'), q.name) &&
    prefix(nameTokens(p, 'family'), q.family) &&
    prefix(nameTokens(p, 'given'), q.given) &&
    (q.active === undefined || (p.active ?? true) === q.active) &&
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
    const all = [...this.items.values()].filter((p) => matches(p, query)).sort((a, b) => (a.id ?? '').localeCompare(b.id ?? ''));
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
