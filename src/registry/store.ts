/**
 * Persistence ports of the registry. Two implementations: `memory/` (unit tests, evaluation) and
 * `mongo/` (MongoDB 7 / FerretDB 1.24). Both pass test/unit/registry/store-contract.ts.
 *
 * Atomicity without multi-document transactions (FerretDB has none):
 * - Every identity change is ONE journal document (`Change`): the full intended effect as idempotent
 *   operations (`ChangeOp`: whole documents to put, xref/blocking entries to add or remove, history
 *   entries) plus the outbox event(s) it emits. Inserting it is the commit point: a single insert.
 * - `guards` are `kind|id|version` strings under a unique (multikey) index: two changes computed
 *   from the same version of a record cannot both commit (optimistic concurrency across documents).
 * - After the insert the ops are applied to the collections; every op is idempotent ("put if newer",
 *   upsert, delete-if-matches), so re-applying is harmless. `journal.unapplied()` feeds recovery.
 * - The outbox is the journal: the relay reads `outbox.pending()` = applied, unpublished changes in
 *   `seq` order. A change on a record can only commit after the previous change on it was applied
 *   (its guard needs the applied version), so per-key order of `seq` is the per-key order of changes.
 * - A finished change (applied, all events published) leaves the journal (`retireFinished`): the
 *   journal and its queries stay as small as the work in flight; the history keeps every version.
 */
import type { Actor, IdentifierRef, OutboxEvent } from '../core/types';
import type { HistoryEntry, PatientQuery, PatientSearchResult } from './ports';
import type {
  BlockingEntry, MergeRecord, NotAMatch, StoredGolden, StoredModel, StoredReview, StoredSource, TokenRecord, XrefEntry,
} from './store-records';

export type * from './store-records';

/** One idempotent operation of a change. */
export type ChangeOp =
  | { op: 'source'; doc: StoredSource }
  | { op: 'golden'; doc: StoredGolden }
  | { op: 'xref.put'; entry: XrefEntry }
  | { op: 'xref.del'; entry: XrefEntry }
  | { op: 'block.add'; entry: BlockingEntry }
  | { op: 'block.del'; entry: BlockingEntry }
  | { op: 'history'; entry: HistoryEntry }
  | { op: 'review'; doc: StoredReview }
  | { op: 'notAMatch'; doc: NotAMatch }
  | { op: 'merge'; doc: MergeRecord };

/** One journal document: the write-ahead record of an identity change and its outbox events. */
export interface Change {
  id: string;
  /** Assigned by `journal.append`, strictly increasing. */
  seq?: number;
  at: string;
  operation: string;
  actor: Actor;
  /** Why (manual operations). */
  reason?: string;
  /** Unique `kind|id|version` strings: the versions this change creates. */
  guards: string[];
  ops: ChangeOp[];
  events: OutboxEvent[];
  applied: boolean;
  /** Event ids not yet published by the relay. */
  unpublished: string[];
}

export interface SourceStore {
  get(key: string): Promise<StoredSource | null>;
  getById(id: string): Promise<StoredSource | null>;
  getMany(keys: string[]): Promise<StoredSource[]>;
  /** Sources carrying an identifier (either part may be omitted, not both). */
  byIdentifier(id: Partial<IdentifierRef>, limit: number): Promise<StoredSource[]>;
  /** Page through sources in key order (re-link job). */
  page(afterKey: string | null, limit: number): Promise<StoredSource[]>;
  count(): Promise<number>;
  /** Write `doc` unless a version ≥ doc.version is stored (idempotent). */
  put(doc: StoredSource): Promise<void>;
}

export interface GoldenStore {
  get(mpiId: string): Promise<StoredGolden | null>;
  getMany(mpiIds: string[]): Promise<StoredGolden[]>;
  /** Write `doc` unless a version ≥ doc.version is stored (idempotent). */
  put(doc: StoredGolden): Promise<void>;
}

export interface XrefStore {
  get(id: IdentifierRef): Promise<XrefEntry | null>;
  byMpiId(mpiId: string): Promise<XrefEntry[]>;
  /** Upsert (idempotent); moves the identifier to `entry.mpiId`. */
  put(entry: XrefEntry): Promise<void>;
  /** Insert; throws MediatorError 'conflict' if the identifier is already held. */
  insert(entry: XrefEntry): Promise<void>;
  /** Delete only if still held by `entry.mpiId`. */
  remove(entry: XrefEntry): Promise<void>;
}

/** One blocking-index edit of a change. */
export type BlockingEdit = Extract<ChangeOp, { op: 'block.add' | 'block.del' }>;

export interface BlockingStore {
  add(entry: BlockingEntry): Promise<void>;
  remove(entry: BlockingEntry): Promise<void>;
  /** Several edits, in order, in one round trip (stores that can batch; callers fall back to add/remove). */
  applyEdits?(edits: BlockingEdit[]): Promise<void>;
  /** Source keys under `key`, in key order, at most `cap + 1` (more than `cap` means over-full). */
  lookup(key: string, cap: number): Promise<string[]>;
}

export interface ReviewStore {
  get(id: string): Promise<StoredReview | null>;
  put(doc: StoredReview): Promise<void>;
  list(filter: { state?: 'open' | 'resolved'; sourceSystem?: string; olderThan?: string; offset: number; count: number }): Promise<{ total: number; items: StoredReview[] }>;
  bySource(sourceKey: string): Promise<StoredReview[]>;
}

export interface ConstraintStore {
  put(doc: NotAMatch): Promise<void>;
  forSource(sourceKey: string): Promise<NotAMatch[]>;
}

export interface HistoryStore {
  /** Idempotent on (kind, id, version). */
  append(entry: HistoryEntry): Promise<void>;
  list(kind: 'source' | 'golden', id: string): Promise<HistoryEntry[]>;
  /** Newest first. */
  all(opts: { since?: string; offset: number; count: number }): Promise<{ total: number; items: HistoryEntry[] }>;
}

export interface TokenStore {
  insert(doc: TokenRecord): Promise<void>;
  get(hash: string): Promise<TokenRecord | null>;
  revoke(hash: string, at: string): Promise<boolean>;
}

export interface MergeStore {
  put(doc: MergeRecord): Promise<void>;
  get(id: string): Promise<MergeRecord | null>;
  /** The latest merge that retired `retiredId` and is not undone. */
  activeFor(retiredId: string): Promise<MergeRecord | null>;
}

export interface ModelStore {
  put(doc: StoredModel): Promise<void>;
  get(version: string): Promise<StoredModel | null>;
  active(): Promise<StoredModel | null>;
  /** Mark one version active and every other inactive. */
  activate(version: string): Promise<void>;
  list(): Promise<Array<Omit<StoredModel, 'model'>>>;
}

export interface JournalStore {
  /** Assign `seq` and insert in one write; throws MediatorError 'conflict' when a guard is taken. */
  append(change: Change): Promise<Change>;
  markApplied(id: string): Promise<void>;
  /** Committed but not applied changes, oldest first. */
  unapplied(limit: number): Promise<Change[]>;
  /** A change in flight (committed, not yet finished); null once finished or never committed. */
  get(id: string): Promise<Change | null>;
  /**
   * Move up to `limit` finished changes (applied, every event published) out of the journal. Stores
   * retire a change as it finishes; this finishes a move a crash interrupted and moves the backlog
   * of a journal written before changes were retired.
   * @returns how many were moved
   */
  retireFinished(limit: number): Promise<number>;
}

/** Structurally the `Outbox` port of src/events (the relay reads it). */
export interface OutboxStore {
  /** Events of applied changes not yet published, in journal order (so per-key order holds). */
  pending(limit: number): Promise<OutboxEvent[]>;
  markPublished(eventIds: string[]): Promise<void>;
  /** How many events wait (committed, unpublished) and the time of the oldest (metrics, /ready). */
  lag(): Promise<{ count: number; oldestAt: string | null }>;
}

export interface ClaimStore {
  /** Take the lease on `key` if free or expired; true when `owner` now holds it. */
  tryAcquire(key: string, owner: string, expiresAt: Date, now: Date): Promise<boolean>;
  /**
   * `tryAcquire` for every key, in one round trip where the store can (optional); returns the keys
   * `owner` now holds.
   */
  tryAcquireMany?(keys: string[], owner: string, expiresAt: Date, now: Date): Promise<string[]>;
  release(keys: string[], owner: string): Promise<void>;
}

export interface PatientSearchStore {
  search(query: PatientQuery): Promise<PatientSearchResult>;
}

/** Everything the registry persists. */
export interface RegistryStore {
  sources: SourceStore;
  goldens: GoldenStore;
  xref: XrefStore;
  blocking: BlockingStore;
  reviews: ReviewStore;
  constraints: ConstraintStore;
  history: HistoryStore;
  tokens: TokenStore;
  merges: MergeStore;
  models: ModelStore;
  journal: JournalStore;
  outbox: OutboxStore;
  claims: ClaimStore;
  patients: PatientSearchStore;
}
