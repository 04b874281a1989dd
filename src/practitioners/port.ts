/**
 * The Practitioner store port: health workers (filled by the iHRIS channel) as the FHIR API reads
 * them. Implementations: `memory-store.ts` (tests, development) and `mongo-store.ts`; both search the
 * normalised fields `practitionerSearchFields` computes, so they answer alike (one contract suite,
 * test/unit/practitioners/store-contract.ts, runs against both).
 */
import type { Practitioner } from 'fhir/r4';
import { identifierKey } from '../core/types';
import type { PractitionerOutbox } from './events';

/**
 * Extension on a stored Practitioner: the Patient golden record of the same person, when the health
 * worker is also registered as a patient (set by the iHRIS channel, shown by the FHIR API).
 */
export const PRACTITIONER_PATIENT_URL = 'https://passerelle.health/fhir/StructureDefinition/practitioner-patient';

/** A Practitioner search: name parts (prefix, case-insensitive) and identifiers, AND-ed. */
export interface PractitionerQuery {
  name?: string[];
  family?: string[];
  given?: string[];
  identifier?: Array<{ system?: string; value?: string }>;
  active?: boolean;
  offset: number;
  count: number;
}

/** Where a practitioner change came from, as its event says. */
export interface PractitionerChange {
  transactionId?: string;
}

/** The Practitioner store port. */
export interface PractitionerStore {
  get(id: string): Promise<Practitioner | null>;
  search(query: PractitionerQuery): Promise<{ total: number; items: Practitioner[] }>;
  /**
   * Insert or replace by id (the channel keeps iHRIS ids); returns the stored version. A new version
   * records its practitioner event in the same write (an unchanged re-send makes none).
   * @param practitioner - the Practitioner with its id
   * @param change - the OpenHIM transaction the change came through, carried by its event
   */
  upsert(practitioner: Practitioner & { id: string }, change?: PractitionerChange): Promise<Practitioner>;
  /** Where those events wait for the relay (stores that publish events). */
  readonly outbox?: PractitionerOutbox;
}

/**
 * Upper-case, accent-free form used for case- and accent-insensitive prefix search.
 * @param s - a name or query value
 */
export function normalizePractitionerName(s: string): string {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toUpperCase().trim();
}

/** Normalised searchable fields of a Practitioner. */
export interface PractitionerSearchFields {
  family: string[];
  given: string[];
  /** Family, given and text of every name. */
  names: string[];
  /** `system|value` of every identifier. */
  idKeys: string[];
  idSystems: string[];
  idValues: string[];
  active: boolean;
}

/**
 * The fields a Practitioner search matches on.
 * @param p - the Practitioner
 */
export function practitionerSearchFields(p: Practitioner): PractitionerSearchFields {
  const names = p.name ?? [];
  const family = names.flatMap((n) => (n.family ? [n.family] : [])).map(normalizePractitionerName);
  const given = names.flatMap((n) => n.given ?? []).map(normalizePractitionerName);
  const text = names.flatMap((n) => (n.text ? [n.text] : [])).map(normalizePractitionerName);
  const ids = (p.identifier ?? []).filter((i) => i.system !== undefined || i.value !== undefined);
  return {
    family,
    given,
    names: [...family, ...given, ...text],
    idKeys: ids.map((i) => identifierKey({ system: i.system ?? '', value: i.value ?? '' })),
    idSystems: ids.flatMap((i) => (i.system ? [i.system] : [])),
    idValues: ids.flatMap((i) => (i.value ? [i.value] : [])),
    active: p.active ?? true,
  };
}
