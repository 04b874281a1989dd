/**
 * Registry documents as stored: source and golden records with their search fields, cross-reference
 * and blocking entries, review tasks, not-a-match decisions, merges, identity tokens and model
 * versions. The ports that read and write them are in store.ts.
 */
import type { Patient } from 'fhir/r4';
import type { Actor, IdentifierRef } from '../core/types';
import type { MatchModel } from './matching/contract';
import type { GoldenRecord, ReviewTask, SourceRecord } from './ports';

/** Normalised (upper-case, accent-folded) copies of searchable fields, so searches never need collation. */
export interface SearchFields {
  /** FHIR logical id (MPI ID for golden records). */
  id: string;
  active: boolean;
  lastUpdated: string;
  family: string[];
  given: string[];
  /** Every name token (family, given, text). */
  names: string[];
  identifiers: IdentifierRef[];
  /** `system|value`, systems and values of `identifiers` as flat strings (FerretDB's $elemMatch cannot match sub-fields). */
  idKeys: string[];
  idSystems: string[];
  idValues: string[];
  birthDate?: string;
  gender?: string;
  telecom: string[];
  city: string[];
  country: string[];
  postalCode: string[];
  state: string[];
  /** Every address token (lines, city, district, state, postcode, country). */
  addressAny: string[];
}

/** A source record as stored. */
export interface StoredSource extends SourceRecord {
  search: SearchFields;
  /** When the source system last sent new content (drives "most recent" in survivorship). */
  receivedAt: string;
}

/** A golden record as stored. */
export interface StoredGolden extends GoldenRecord {
  search: SearchFields;
  /** Steward edits (patchGolden); they win over survivorship. */
  stewardPatch?: Partial<Patient>;
  /** Identifiers added directly to the golden record (addIdentifier), not carried by a source. */
  extraIdentifiers: IdentifierRef[];
  /**
   * `system|value` of the cross-reference entries this record holds, kept by the same change that
   * writes them, so a change reads them from the document instead of querying the cross-reference
   * by MPI ID (a scan on FerretDB). Absent on documents written before it existed.
   */
  xrefKeys?: string[];
}

/** Cross-reference: one identifier → one MPI ID (unique on system+value). */
export interface XrefEntry {
  system: string;
  value: string;
  mpiId: string;
}

/** Blocking index entry: a source record filed under one blocking key (coarse or refined). */
export interface BlockingEntry {
  key: string;
  sourceKey: string;
}

/** A review task as stored. */
export interface StoredReview extends ReviewTask {
  sourceSystem: string;
  updatedAt: string;
}

/** A remembered not-a-match decision: the engine may never link this source to that golden record. */
export interface NotAMatch {
  sourceKey: string;
  mpiId: string;
  /** The golden record's sources at decision time, so the constraint survives merges and relinks. */
  otherSourceKeys: string[];
  at: string;
  by: Actor;
}

/** A merge, with what unmerge needs to restore the exact prior state. */
export interface MergeRecord {
  id: string;
  survivorId: string;
  retiredId: string;
  /** The retired record's sources with their link state before the merge. */
  movedSources: Array<{ key: string; linkState: 'auto' | 'manual' | null; linkScore?: number }>;
  survivorBefore: StoredGolden;
  retiredBefore: StoredGolden;
  at: string;
  by: Actor;
  reason?: string;
  undone?: { at: string; by: Actor; reason?: string };
}

/** An identity token, stored by hash only. */
export interface TokenRecord {
  hash: string;
  mpiId: string;
  issuedAt: string;
  issuedBy: Actor;
  revokedAt?: string;
}

/** A stored model version. */
export interface StoredModel {
  version: string;
  model: MatchModel;
  createdAt: string;
  active: boolean;
}
