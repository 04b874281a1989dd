/**
 * Normalised search fields stored next to every source and golden Patient, and the in-memory
 * evaluation of a typed PatientQuery over them (the Mongo adapter translates the same query into a
 * filter over the same fields). Upper-case, accent-folded values make case-insensitive and prefix
 * search index-friendly without collation (FerretDB has none).
 */
import type { Address, Patient } from 'fhir/r4';
import type { PatientQuery, StringCondition } from './api';
import { conditionValues } from './api';
import type { SearchFields } from './store';
import { identifierKey } from '../core/types';
import { isPrintableAscii } from './matching/normalise';

/**
 * Upper-case, strip accents and collapse spaces.
 * @param s - free text
 */
export function normalizeSearchText(s: string): string {
  // Printable ASCII has nothing to decompose: skip NFD and the diacritics pass (most names, most of the time).
  const folded = isPrintableAscii(s) ? s : s.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  return folded.toUpperCase().replace(/\s+/g, ' ').trim();
}

/**
 * Keep digits and a leading plus, so `+221 77-123` and `+22177123` compare equal.
 * @param s - a phone number or `system|value`
 */
export function normalizeTelecom(s: string): string {
  const value = s.includes('|') ? s.slice(s.lastIndexOf('|') + 1) : s;
  return value.trim().replace(/(?!^\+)[^0-9]/g, '');
}

function tokens(values: Array<string | undefined>): string[] {
  const out = new Set<string>();
  for (const v of values) {
    if (v) {
      const n = normalizeSearchText(v);
      if (n) {
        out.add(n);
      }
    }
  }
  return [...out];
}

function addressTokens(addresses: Address[]): string[] {
  return tokens(addresses.flatMap((a) => [...(a.line ?? []), a.city, a.district, a.state, a.postalCode, a.country, a.text]));
}

/**
 * Compute the stored search fields of a Patient.
 * @param patient - the FHIR Patient
 * @param id - its logical id (MPI ID for golden records)
 * @param active - whether the record is active
 * @param lastUpdated - ISO time of the stored version
 */
export function toSearchFields(patient: Patient, id: string, active: boolean, lastUpdated: string): SearchFields {
  const names = patient.name ?? [];
  const addresses = patient.address ?? [];
  const identifiers = (patient.identifier ?? []).filter((i) => i.system && i.value).map((i) => ({ system: i.system as string, value: i.value as string }));
  const fields: SearchFields = {
    id,
    active,
    lastUpdated,
    family: tokens(names.map((n) => n.family)),
    given: tokens(names.flatMap((n) => n.given ?? [])),
    names: tokens(names.flatMap((n) => [n.family, n.text, ...(n.given ?? []), ...(n.family ?? '').split(/[\s-]+/)])),
    identifiers,
    idKeys: [...new Set(identifiers.map((i) => identifierKey(i)))],
    idSystems: [...new Set(identifiers.map((i) => i.system))],
    idValues: [...new Set(identifiers.map((i) => i.value))],
    telecom: [...new Set((patient.telecom ?? []).map((t) => normalizeTelecom(t.value ?? '')).filter((t) => t))],
    city: tokens(addresses.map((a) => a.city)),
    country: tokens(addresses.map((a) => a.country)),
    postalCode: tokens(addresses.map((a) => a.postalCode)),
    state: tokens(addresses.map((a) => a.state)),
    addressAny: addressTokens(addresses),
  };
  if (patient.birthDate) {
    fields.birthDate = patient.birthDate;
  }
  if (patient.gender) {
    fields.gender = patient.gender;
  }
  return fields;
}

/**
 * The inclusive [low, high] range of dates a partial FHIR date covers.
 * @param value - `YYYY`, `YYYY-MM` or `YYYY-MM-DD`
 */
export function dateRange(value: string): { low: string; high: string } {
  if (/^\d{4}$/.test(value)) {
    return { low: `${value}-01-01`, high: `${value}-12-31` };
  }
  if (/^\d{4}-\d{2}$/.test(value)) {
    return { low: `${value}-01`, high: `${value}-31` };
  }
  return { low: value.slice(0, 10), high: value.slice(0, 10) };
}

function shiftYear(date: string, years: number): string {
  return `${String(Number(date.slice(0, 4)) + years).padStart(4, '0')}${date.slice(4)}`;
}

/**
 * Whether a stored birth date satisfies one FHIR date comparison.
 * @param stored - the stored birthDate
 * @param prefix - FHIR search prefix
 * @param value - the query value
 */
export function birthDateMatches(stored: string | undefined, prefix: NonNullable<PatientQuery['birthDate']>[number]['prefix'], value: string): boolean {
  if (!stored) {
    return prefix === 'ne';
  }
  const { low, high } = dateRange(value);
  switch (prefix) {
    case 'eq':
      return stored >= low && stored <= high;
    case 'ne':
      return !(stored >= low && stored <= high);
    case 'lt':
    case 'eb':
      return stored < low;
    case 'le':
      return stored <= high;
    case 'gt':
    case 'sa':
      return stored > high;
    case 'ge':
      return stored >= low;
    case 'ap':
      return stored >= shiftYear(low, -1) && stored <= shiftYear(high, 1);
  }
}

const ADDRESS_FIELD = { any: 'addressAny', city: 'city', country: 'country', postalCode: 'postalCode', state: 'state' } as const;

type FieldTest = (f: SearchFields) => boolean;

/** How a stored token meets a query value under a string modifier. */
function tokenMatcher(match: StringCondition['match']): (token: string, value: string) => boolean {
  if (match === 'exact') return (token, value) => token === value;
  if (match === 'prefix') return (token, value) => token.startsWith(value);
  return (token, value) => token.includes(value);
}

/** A string condition with its values normalised once: a token must match one of them. */
function stringTest(read: (f: SearchFields) => string[], c: StringCondition): FieldTest {
  const values = conditionValues(c).map(normalizeSearchText);
  const hit = tokenMatcher(c.match);
  return (f) => read(f).some((s) => values.some((v) => hit(s, v)));
}

/** The tests a query makes, cheapest and most selective first; absent conditions make none. */
function fieldTests(q: PatientQuery): FieldTest[] {
  const tests: FieldTest[] = [];
  const { lastUpdatedLe, active, ids, gender } = q;
  if (lastUpdatedLe !== undefined) tests.push((f) => f.lastUpdated <= lastUpdatedLe);
  if (active !== undefined) tests.push((f) => f.active === active);
  for (const c of q.birthDate ?? []) tests.push((f) => birthDateMatches(f.birthDate, c.prefix, c.value));
  if (ids) tests.push((f) => ids.includes(f.id));
  if (gender && gender.length > 0) tests.push((f) => f.gender !== undefined && gender.includes(f.gender));
  for (const c of q.identifiers ?? []) {
    tests.push((f) => f.identifiers.some((i) => (c.system === undefined || i.system === c.system) && (c.value === undefined || i.value === c.value)));
  }
  for (const c of q.family ?? []) tests.push(stringTest((f) => f.family, c));
  for (const c of q.given ?? []) tests.push(stringTest((f) => f.given, c));
  for (const c of q.name ?? []) tests.push(stringTest((f) => f.names, c));
  for (const t of q.telecom ?? []) {
    const wanted = normalizeTelecom(t);
    tests.push((f) => f.telecom.includes(wanted));
  }
  for (const a of q.address ?? []) tests.push(stringTest((f) => f[ADDRESS_FIELD[a.field]], a));
  return tests;
}

/**
 * Compile a typed query into a predicate over stored search fields (memory twin, staged overlay):
 * query values are normalised once, not once per record, and the first failing test ends the check.
 * @param q - the query
 */
export function searchPredicate(q: PatientQuery): (f: SearchFields) => boolean {
  const tests = fieldTests(q);
  return (f) => tests.every((t) => t(f));
}

/** Sort fields of a query, as paths into SearchFields. */
export const SORT_FIELD = { family: 'family', given: 'given', birthdate: 'birthDate', _lastUpdated: 'lastUpdated', _id: 'id' } as const;

/**
 * Comparator implementing `query.sort` over search fields (default: lastUpdated desc, then id).
 * @param q - the query
 */
export function searchComparator(q: PatientQuery): (a: SearchFields, b: SearchFields) => number {
  const sort = [...(q.sort && q.sort.length > 0 ? q.sort : [{ field: '_lastUpdated' as const, desc: true }]), { field: '_id' as const, desc: false }];
  return (a, b) => {
    for (const s of sort) {
      const key = SORT_FIELD[s.field];
      const av = first(a[key]);
      const bv = first(b[key]);
      if (av !== bv) {
        return (av < bv ? -1 : 1) * (s.desc ? -1 : 1);
      }
    }
    return 0;
  };
}

function first(v: string | string[] | undefined): string {
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}
