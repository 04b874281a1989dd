/**
 * The registry as the rest of Passerelle sees it: the one service the FHIR API, the MPI REST API,
 * the channels and the evaluation CLI all call. Implementations live in src/registry/service*.ts;
 * stores behind it have a MongoDB adapter and an in-memory twin.
 */
import type { Patient } from 'fhir/r4';
import type { Actor, IdentifierRef } from '../core/types';
import type { FieldComparison, MatchFeatures } from './matching/contract';

export type LinkState = 'auto' | 'manual';
export type GoldenStatus = 'active' | 'merged' | 'inactive';
/** FHIR match-grade codes (http://hl7.org/fhir/R4/patient-operation-match.html). */
export type MatchGrade = 'certain' | 'probable' | 'possible' | 'certainly-not';

/** A system's record as received and as mapped to FHIR, addressed by `system|value`. */
export interface SourceRecord {
  /** Canonical `system|value` of the record's own identifier in its source system. */
  key: string;
  /** FHIR logical id of the source Patient (stable, opaque). */
  id: string;
  system: string;
  value: string;
  /** Short name of the source system (dhis2, openmrs, ihris, ncr, api...). */
  sourceSystem: string;
  /** The payload as received, when it differs from the mapped Patient. */
  received?: unknown;
  /** The mapped FHIR Patient as stored (id = `id`, meta.versionId = `version`). */
  patient: Patient;
  features: MatchFeatures;
  /** MPI ID of the golden record this source links to; null while unlinked (e.g. deactivated). */
  goldenId: string | null;
  linkState: LinkState | null;
  /** Match weight/probability that produced the current link, if automatic. */
  linkScore?: number;
  active: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** One person: computed demographics, its linked sources and its cross-reference identifiers. */
export interface GoldenRecord {
  mpiId: string;
  /** The golden Patient computed by survivorship (id = mpiId). */
  patient: Patient;
  sourceKeys: string[];
  /** Logical ids of the same source records, in the same order (no read needed to link to them). */
  sourceIds: string[];
  status: GoldenStatus;
  /** For a merged (retired) record: the survivor's MPI ID. */
  mergedInto?: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** A scored candidate golden record for a probe. */
export interface MatchCandidate {
  mpiId: string;
  golden: GoldenRecord;
  /** Posterior probability 0..1 (FHIR search.score). */
  score: number;
  /** log2 match weight. */
  weight: number;
  grade: MatchGrade;
  /** Per-field weights of the best-scoring source of this golden record. */
  explanation: FieldComparison[];
  /** Key of the source record that produced the best score. */
  matchedSourceKey: string;
}

/** What happened to a registered source record. */
export interface RegistrationResult {
  source: SourceRecord;
  golden: GoldenRecord;
  /** `created`: new golden record; `linked`: auto-linked to an existing one; `review`: new golden + review task; `updated`: same source re-sent. */
  outcome: 'created' | 'linked' | 'review' | 'updated' | 'unchanged';
  created: boolean;
  /** The best candidate the decision weighed (its golden record is not read for this). */
  best?: Omit<MatchCandidate, 'golden'>;
  reviewTaskId?: string;
}

/** A possible match waiting for a data steward. */
export interface ReviewTask {
  id: string;
  /** The source record the task is about (stays valid across relinks and merges). */
  sourceKey: string;
  candidates: Array<{ mpiId: string; score: number; weight: number; explanation: FieldComparison[] }>;
  state: 'open' | 'resolved';
  resolution?: { action: 'link' | 'not-a-match' | 'merge'; mpiId?: string; reason?: string; by: Actor; at: string };
  version: number;
  createdAt: string;
  /** Short name of the source system of the record the task is about (dhis2, openmrs, …). */
  sourceSystem?: string;
}

/**
 * Which review tasks to list. `minScore`/`maxScore` bound the task's best candidate score:
 * at least `minScore`, below `maxScore`.
 */
export interface ReviewFilter {
  state?: 'open' | 'resolved';
  sourceSystem?: string;
  /** Created before this instant (ISO 8601). */
  olderThan?: string;
  minScore?: number;
  maxScore?: number;
  offset: number;
  count: number;
}

/** A merge that is in force: `retiredId` was merged into another golden record and not unmerged since. */
export interface MergeSummary {
  survivorId: string;
  retiredId: string;
  at: string;
  by: Actor;
  reason?: string;
}

/** One version of a source or golden record in the history. */
export interface HistoryEntry {
  kind: 'source' | 'golden';
  id: string;
  version: number;
  at: string;
  operation: string;
  changedFields: string[];
  actor: Actor;
  patient: Patient;
  /** For golden records: the MPI ID's status at this version. */
  status?: GoldenStatus;
  deleted?: boolean;
}

export type StringMatch = 'prefix' | 'exact' | 'contains';

/** A string search condition: `value`, or any of `or` as alternatives. */
export interface StringCondition {
  value: string;
  or?: string[];
  match: StringMatch;
}

/**
 * The values of a string condition (FHIR's comma-separated OR list).
 * @param c - the condition
 */
export function conditionValues(c: StringCondition): string[] {
  return c.or && c.or.length > 0 ? [c.value, ...c.or] : [c.value];
}

/** A typed Patient query (PDQm); implementations translate it without ever passing raw operators. */
export interface PatientQuery {
  /** Which records: golden, source, or both. */
  kind: 'golden' | 'source' | 'any';
  ids?: string[];
  active?: boolean;
  /** Each entry is AND-ed; `or` lists more values any of which may match instead of `value` (FHIR's comma). */
  family?: StringCondition[];
  given?: StringCondition[];
  name?: StringCondition[];
  /** Each entry is AND-ed; `values` within one entry are OR-ed. */
  identifiers?: Array<{ system?: string; value?: string }>;
  birthDate?: Array<{ prefix: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'sa' | 'eb' | 'ap'; value: string }>;
  gender?: string[];
  telecom?: string[];
  address?: Array<StringCondition & { field: 'any' | 'city' | 'country' | 'postalCode' | 'state' }>;
  /**
   * Snapshot bound (ISO 8601 instant, e.g. `2026-01-02T03:04:05.678Z`): only records last updated at
   * or before it, so successive pages of one search ignore records written after its first page.
   */
  lastUpdatedLe?: string;
  sort?: Array<{ field: 'family' | 'given' | 'birthdate' | '_lastUpdated' | '_id'; desc: boolean }>;
  offset: number;
  count: number;
}

export interface PatientSearchResult {
  total: number;
  items: Array<{ kind: 'golden' | 'source'; patient: Patient }>;
}

/** What `registerSource` takes. */
export interface RegisterSourceInput {
  patient: Patient;
  sourceSystem: string;
  received?: unknown;
  actor: Actor;
  /** Register as a new golden record even when a likely duplicate exists (override recorded). */
  forceCreate?: boolean;
  /** Optimistic check against the stored version (If-Match). */
  expectedVersion?: number;
  /** The record's own identifier (its `system|value` key); default: the Patient's first identifier with system and value. */
  sourceIdentifier?: IdentifierRef;
}

/** The outcome of one record of a page: its registration, or why it was refused (the page goes on). */
export type BulkItemResult =
  | { ok: true; result: RegistrationResult }
  | { ok: false; error: { code: string; message: string } };

/** What a unit of work will likely register, read ahead in one lookup (as the bulk path does). */
export interface UnitHints {
  prefetch?: Array<Pick<RegisterSourceInput, 'patient' | 'sourceIdentifier'>>;
}

/** The registry service: every identity operation, each recorded, reversible and emitting an event. */
export interface RegistryService {
  /** Register or update a source record (matching on create; re-evaluation on demographic change). */
  registerSource(input: RegisterSourceInput): Promise<RegistrationResult>;
  /**
   * Register a page of source records (a channel page, a FHIR batch, an evaluation batch) with the
   * same decisions as registering them one at a time in this order. One result per input, in order;
   * a record that is refused (invalid, version conflict) is reported and the others still register.
   */
  registerMany(inputs: RegisterSourceInput[]): Promise<BulkItemResult[]>;
  getSource(key: string): Promise<SourceRecord | null>;
  /** Several source records in one read, in the order of `keys` (unknown keys are left out). */
  getSources(keys: string[]): Promise<SourceRecord[]>;
  getSourceById(id: string): Promise<SourceRecord | null>;
  findSourcesByIdentifier(id: Partial<IdentifierRef>): Promise<SourceRecord[]>;
  /** Soft-delete a source record; with `expectedVersion`, refused (412) unless it is still that version. */
  deactivateSource(key: string, actor: Actor, expectedVersion?: number): Promise<SourceRecord>;
  /** Resolve an MPI ID; a merged one redirects to its survivor (`redirectedFrom` set). */
  getGolden(mpiId: string): Promise<{ golden: GoldenRecord; redirectedFrom?: string } | null>;
  /** Several golden records in one read, in the order asked (unknown ones left out; no redirect). */
  getGoldens(mpiIds: string[]): Promise<GoldenRecord[]>;
  /** Whether any source record carries an identifier in this system (one indexed existence check). */
  identifierSystemKnown(system: string): Promise<boolean>;
  /** Cross-reference lookup: which golden record holds this identifier. */
  resolveIdentifier(id: IdentifierRef): Promise<GoldenRecord | null>;
  /** Score a probe Patient against the registry without writing anything. */
  match(patient: Patient, opts?: { count?: number; minScore?: number }): Promise<MatchCandidate[]>;
  searchPatients(query: PatientQuery): Promise<PatientSearchResult>;
  link(sourceKey: string, mpiId: string, actor: Actor, reason?: string): Promise<GoldenRecord>;
  unlink(sourceKey: string, actor: Actor, reason?: string): Promise<GoldenRecord>;
  merge(survivorId: string, retiredId: string, actor: Actor, reason?: string): Promise<GoldenRecord>;
  unmerge(retiredId: string, actor: Actor, reason?: string): Promise<{ survivor: GoldenRecord; restored: GoldenRecord }>;
  /** The merges in force into this golden record, newest first (each can be undone with `unmerge`). */
  mergesInto(survivorId: string): Promise<MergeSummary[]>;
  /** Add an external identifier (e.g. a DHIS2 UID) to a golden record's cross-reference. */
  addIdentifier(mpiId: string, id: IdentifierRef, actor: Actor): Promise<GoldenRecord>;
  /** Edit golden-record demographics directly (a steward override that survivorship honours). */
  patchGolden(mpiId: string, patch: Partial<Patient>, actor: Actor, expectedVersion?: number): Promise<GoldenRecord>;
  listReviews(filter: ReviewFilter): Promise<{ total: number; items: ReviewTask[] }>;
  /** The source systems that have review tasks in this state (for the queue's filter and counts). */
  reviewSourceSystems(state: 'open' | 'resolved'): Promise<string[]>;
  getReview(id: string): Promise<ReviewTask | null>;
  resolveReview(id: string, decision: { action: 'link' | 'not-a-match' | 'merge'; mpiId?: string; reason?: string; expectedVersion?: number }, actor: Actor): Promise<ReviewTask>;
  history(kind: 'source' | 'golden', id: string): Promise<HistoryEntry[]>;
  typeHistory(opts: { since?: string; count: number; offset: number }): Promise<{ total: number; items: HistoryEntry[] }>;
  /** The oldest versions of any record written at or after `since`, at most `count` (outbound channels). */
  historySince(opts: { since?: string; count: number }): Promise<HistoryEntry[]>;
  issueToken(mpiId: string, actor: Actor): Promise<{ token: string; issuedAt: string }>;
  verifyToken(token: string): Promise<{ status: 'valid' | 'revoked' | 'not_found'; checkedAt: string }>;
  revokeToken(token: string, actor: Actor): Promise<void>;
  /**
   * Run several operations as one all-or-nothing unit: `work` calls them on `tx`, and their changes
   * commit as ONE change when it returns, or not at all when it throws. Inside a unit, a nested call
   * joins it. Tokens and models are not part of a unit. `opts.prefetch` names the Patients the unit
   * will likely register: their lookups are read ahead in one query, as the bulk path does.
   */
  atomically<T>(actor: Actor, work: (tx: RegistryService) => Promise<T>, opts?: UnitHints): Promise<T>;
}
