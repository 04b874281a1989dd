/**
 * Registry documents as stored. Identity records live in one collection (`records`), told apart by
 * kind: source records (each system's record of a person), golden records (one per person, holding
 * a snapshot of its members so survivorship never re-reads them) and cross-reference entries (one per
 * identifier: which golden record holds it). Source records and cross-reference entries are filed
 * under lookup keys (keys.ts) in one multikey index, so one query finds every candidate of a probe
 * and every holder of its identifiers. Every identity change is one `Change` document: the commit
 * point, the history of the records it wrote and the outbox of the events it emits.
 */
import type { Patient } from 'fhir/r4';
import type { Actor, IdentifierRef, OutboxEvent } from '../core/types';
import type { MatchFeatures, MatchModel } from './matching/contract';
import type { GoldenRecord, ReviewTask, SourceRecord } from './api';

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
  /** `system|value`, systems and values of `identifiers` as flat strings, each with its own index. */
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

/** A remembered not-a-match decision: the engine may never link this source to that golden record. */
export interface NotAMatch {
  sourceKey: string;
  mpiId: string;
  /** The golden record's sources at decision time, so the constraint survives merges and relinks. */
  otherSourceKeys: string[];
  at: string;
  by: Actor;
}

/** A source record as stored. */
export interface StoredSource extends SourceRecord {
  search: SearchFields;
  /** When the source system last sent new content (drives "most recent" in survivorship). */
  receivedAt: string;
  /** Lookup keys it is filed under: its blocking keys and its identifiers (keys.ts). */
  keys: string[];
  /**
   * Refinement code of its blocking keys (given initial, sex, birth month): a block grown large is
   * read as the part of it that shares the probe's code (one compound index on keys + rf).
   */
  rf: string;
  /** Hash of the Patient's content: a re-send is recognised as unchanged without reading the Patient. */
  contentHash: string;
  /** Not-a-match decisions about this source (kept on it: the decision reads them with it). */
  notAMatch: NotAMatch[];
  /** Logical time of the change that wrote this version (keeps each record's events in order). */
  seq: number;
}

/** What a lookup returns of a source record: everything but its Patient, payload and search fields. */
export type SourceView = Omit<StoredSource, 'patient' | 'received' | 'search'>;

/** What a golden record keeps of each member source: what survivorship and history need. */
export interface MemberSnapshot {
  key: string;
  id: string;
  sourceSystem: string;
  receivedAt: string;
  active: boolean;
  patient: Patient;
  /** Its match features: a candidate golden record is scored on every member without reading them. */
  features: MatchFeatures;
}

/** A golden record as stored. */
export interface StoredGolden extends Omit<GoldenRecord, 'sourceIds'> {
  search: SearchFields;
  /** Steward edits (patchGolden); they win over survivorship. */
  stewardPatch?: Partial<Patient>;
  /** Identifiers added directly to the golden record (addIdentifier), not carried by a source. */
  extraIdentifiers: IdentifierRef[];
  /** Its member sources as last written (one per entry of `sourceKeys`). */
  members: MemberSnapshot[];
  /** `system|value` keys of the cross-reference entries it holds. */
  xrefKeys: string[];
  seq: number;
}

/** Cross-reference: one identifier (`system|value`) → the golden record holding it. */
export interface XrefEntry {
  key: string;
  mpiId: string;
}

/** A review task as stored. */
export interface StoredReview extends ReviewTask {
  sourceSystem: string;
  updatedAt: string;
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
  version: number;
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

/** The record documents a change writes (each idempotently: a version is never replaced by an older one). */
export interface RecordWrites {
  sources: StoredSource[];
  goldens: StoredGolden[];
  /** Cross-reference entries to point at their (new) holder. */
  xrefPut: XrefEntry[];
  /** Cross-reference entries to remove, each only if still held by the golden record named. */
  xrefDel: XrefEntry[];
}

/** One version of a record, as the change that wrote it keeps it (its history). */
export interface HistoryRecord {
  kind: 'source' | 'golden';
  /** Source logical id or MPI ID. */
  id: string;
  /** `historyRef(kind, id)`: what the history index is built on. */
  ref: string;
  version: number;
  changedFields: string[];
  patient: Patient;
  status?: GoldenRecord['status'];
  deleted?: boolean;
  /** The step that wrote it, when its change folds several (an atomic unit); else the change's operation. */
  operation?: string;
}

/** How an event's value is built from its change when it is published (no copy of the Patients). */
export type EventBody =
  | { kind: 'pmir'; source: string; golden: number; sources: number[]; other?: number; retiredInto?: string; affected?: number[] }
  | { kind: 'json'; payload: Record<string, unknown> };

/** An event as its change stores it (the outbox). Indexes in `body` point into the change's history. */
export interface EventRecord extends Omit<OutboxEvent, 'payload'> {
  body: EventBody;
}

/**
 * One lookup query: records filed under `keys`, and, per `refined` branch, those filed under its
 * keys whose refinement code is its `rf` (large blocks, read through a probe's refinement code).
 */
export interface LookupQuery {
  keys: string[];
  refined?: Array<{ keys: string[]; rf: string }>;
}

/** The lookups a decision rested on, re-read after commit to prove nothing new appeared under them. */
export interface LookupCheck {
  queries: LookupQuery[];
  /** `<source key>@<version>` and `x:<identifier key>@<MPI ID>` of every record they returned. */
  seen: string[];
}

/** One identity change: the commit point, its history and its outbox. */
export interface Change {
  id: string;
  /** Logical time: above the `seq` of every record it read or wrote, so per-record order is kept. */
  seq: number;
  at: string;
  operation: string;
  actor: Actor;
  reason?: string;
  /** Held from commit to finish (keys.ts leaseKey). */
  leases: string[];
  /** `kind|id|version` of every version it creates (unique across all changes). */
  guards: string[];
  writes: RecordWrites;
  reviews: StoredReview[];
  merges: MergeRecord[];
  history: HistoryRecord[];
  events: EventRecord[];
  check?: LookupCheck;
  applied: boolean;
  /** Ids of events not yet published. */
  unpublished: string[];
}
