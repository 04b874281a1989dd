/**
 * Health workers as the FHIR API sees them: a store filled by the iHRIS channel. Implementations:
 * `practitioner-memory.ts` (tests, development); a MongoDB adapter is still to come.
 */
import type { Practitioner } from 'fhir/r4';

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

/** The Practitioner store port. */
export interface PractitionerStore {
  get(id: string): Promise<Practitioner | null>;
  search(query: PractitionerQuery): Promise<{ total: number; items: Practitioner[] }>;
  /** Insert or replace by id (the channel keeps iHRIS ids); returns the stored version. */
  upsert(practitioner: Practitioner & { id: string }): Promise<Practitioner>;
}
