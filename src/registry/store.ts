/**
 * Persistence ports of the registry. Two implementations: `memory/` (unit tests, evaluation) and
 * `mongo/` (MongoDB 7; the local stand-in in development). Both pass test/unit/registry/store-contract.ts.
 *
 * How a change commits (change-runner.ts runs it):
 * - ONE insert commits an identity change: its `Change` document (writes, history, events). Just before
 *   it, in the same ordered command, goes a lease document holding the change's lease keys under a
 *   unique index: if another change in flight holds one of them, neither is inserted.
 * - Version guards (`kind|id|version`, unique across all changes) stop two changes computed from the
 *   same version of a record: the second fails to commit and is recomputed.
 * - Then the writes are applied idempotently (a version never replaces a newer one) and the change is
 *   finished in one command: marked applied and its lease document deleted. A crash in between is
 *   finished by recovery (`unfinished`), by any process, after a grace period.
 * - A change that created a golden record also carries the lookup its decision rested on; it is
 *   re-read after commit, and if a record appeared under those keys meanwhile the change is aborted
 *   and recomputed (a concurrent registration of the same new person). The lookups of one decision
 *   (one change, or every step of an atomic unit) must have read one committed state for that proof
 *   to hold: one that finds a record an earlier one did not under the same key redoes the attempt
 *   (lookup-snapshot.ts).
 * - Events of applied changes are the outbox: `pending` in `seq` order, which is each record's order.
 */
import type { IdentifierRef, OutboxEvent } from '../core/types';
import type { HistoryEntry, PatientQuery, PatientSearchResult, ReviewFilter } from './api';
import type {
  Change, LookupQuery, MergeRecord, RecordWrites, SourceView, StoredGolden, StoredModel, StoredReview, StoredSource, TokenRecord, XrefEntry,
} from './store-records';

export type * from './store-records';

/** What one lookup finds: source records filed under the keys, and cross-reference entries. */
export interface LookupResult {
  sources: SourceView[];
  xref: XrefEntry[];
}

/** Source records, golden records and the cross-reference (one collection in MongoDB). */
export interface RecordStore {
  source(key: string): Promise<StoredSource | null>;
  sourceById(id: string): Promise<StoredSource | null>;
  /** In any order; unknown keys left out. */
  sources(keys: string[]): Promise<StoredSource[]>;
  golden(mpiId: string): Promise<StoredGolden | null>;
  goldens(mpiIds: string[]): Promise<StoredGolden[]>;
  /** Cross-reference entries of these identifier keys (`system|value`). */
  xref(keys: string[]): Promise<XrefEntry[]>;
  /**
   * Everything filed under the query's lookup keys (keys.ts `lookupKey`), in one query: source
   * records (without Patient, payload and search fields) and cross-reference entries.
   */
  lookup(query: LookupQuery): Promise<LookupResult>;
  /**
   * What `lookup(query)` returns, as fingerprints only (lookup-query.ts `lookupFingerprint`): the
   * check a change re-reads at commit needs no more, and a store that can read less for it says so.
   */
  lookupFingerprints?(query: LookupQuery): Promise<string[]>;
  /** Sources carrying an identifier (either part may be omitted, not both), in key order. */
  byIdentifier(id: Partial<IdentifierRef>, limit: number): Promise<StoredSource[]>;
  /** Page through sources in key order (re-link job). */
  page(afterKey: string | null, limit: number): Promise<StoredSource[]>;
  countSources(): Promise<number>;
  /** Apply a change's record writes (idempotent: safe to run twice, never moves a record back). */
  write(writes: RecordWrites): Promise<void>;
  search(query: PatientQuery): Promise<PatientSearchResult>;
}

/** Why a commit failed: leases another change holds, or guards another change took. */
export interface CommitConflict {
  leases: string[];
  guards: string[];
}

/** The change log: commit point, leases, history and outbox. */
export interface ChangeLog {
  /**
   * Take the change's leases and commit it (see the module comment). Throws MediatorError 'conflict'
   * with `details: CommitConflict` when a lease is held or a guard taken; nothing is left behind.
   */
  commit(change: Change): Promise<void>;
  /** Undo a commit whose check failed: the change and its leases are deleted. */
  abort(changeId: string): Promise<void>;
  /** Mark applied and release the leases, in one write. */
  finish(changeId: string): Promise<void>;
  get(changeId: string): Promise<Change | null>;
  /** Committed, unfinished changes in seq order (recovery). */
  unfinished(limit: number): Promise<Change[]>;
  /**
   * Who holds a lease now: the lease document, its change's id and when it was taken; null when free.
   * The change may not exist: a crash between the two inserts of a commit leaves its leases orphaned.
   */
  leaseHolder(lease: string): Promise<{ leaseId: string; changeId: string; at: string } | null>;
  /** Remove a lease document left by a change that was never committed. */
  dropOrphanLease(leaseId: string): Promise<void>;
  /** Every version of one record, oldest first. */
  history(kind: 'source' | 'golden', id: string): Promise<HistoryEntry[]>;
  /** Every version of every record, newest first. */
  allHistory(opts: { since?: string; offset: number; count: number }): Promise<{ total: number; items: HistoryEntry[] }>;
  /**
   * The oldest versions written at or after `since` (by change time, then commit order), at most
   * `count`: what an outbound channel sends next. Reads only as far as the page goes.
   */
  historySince(opts: { since?: string; count: number }): Promise<HistoryEntry[]>;
}

/** Which changes a replay covers: those touching one golden record, or those made since a time. */
export type ReplayScope = { mpiId: string } | { since: string };

/** Events kept after publishing (the change log keeps each change's), oldest first, by pages of changes. */
export interface RetainedEvents {
  /**
   * @param scope - one MPI ID, or a start time (ISO 8601)
   * @param page - `after`: the cursor a previous page returned (null first); `limit`: changes per page
   * @returns the events of the page's changes, and the next cursor (null at the end)
   */
  retained(scope: ReplayScope, page: { after: number | null; limit: number }): Promise<{ events: OutboxEvent[]; next: number | null }>;
}

/**
 * Structurally the `Outbox` port of src/events (the relay reads it). With several processes, `pending`
 * claims what it returns for this process (core/outbox-claims.ts): per-key order holds across them.
 */
export interface OutboxStore extends RetainedEvents {
  /** Events of applied changes not yet published, in seq order (so per-key order holds). */
  pending(limit: number, busy?: ReadonlySet<string>): Promise<OutboxEvent[]>;
  markPublished(eventIds: string[]): Promise<void>;
  /** How many events wait (committed, not yet published) and when the oldest was committed (metrics, /ready). */
  lag(): Promise<{ count: number; oldestAt: string | null }>;
  /**
   * Retention: remove the events (and the recovery writes) of published changes committed before
   * `before` (ISO 8601); their history stays. Changes still waiting or in flight are kept.
   * @returns how many changes were pruned
   */
  prune(before: string): Promise<number>;
  /** Give up this process's claims on changes still waiting (the relay stopping cleanly). */
  release(): Promise<void>;
}

export interface ReviewStore {
  get(id: string): Promise<StoredReview | null>;
  /** Idempotent (a version is never replaced by an older one). */
  put(docs: StoredReview[]): Promise<void>;
  list(filter: ReviewFilter): Promise<{ total: number; items: StoredReview[] }>;
  bySource(sourceKey: string): Promise<StoredReview[]>;
  /** Distinct source systems of the tasks in this state. */
  sourceSystems(state: 'open' | 'resolved'): Promise<string[]>;
}

export interface TokenStore {
  insert(doc: TokenRecord): Promise<void>;
  get(hash: string): Promise<TokenRecord | null>;
  revoke(hash: string, at: string): Promise<boolean>;
}

export interface MergeStore {
  /** Idempotent (a version is never replaced by an older one). */
  put(docs: MergeRecord[]): Promise<void>;
  get(id: string): Promise<MergeRecord | null>;
  /** The latest merge that retired `retiredId` and is not undone. */
  activeFor(retiredId: string): Promise<MergeRecord | null>;
  /** The merges into `survivorId` that are not undone, newest first. */
  intoSurvivor(survivorId: string): Promise<MergeRecord[]>;
}

export interface ModelStore {
  put(doc: StoredModel): Promise<void>;
  get(version: string): Promise<StoredModel | null>;
  active(): Promise<StoredModel | null>;
  /** Mark one version active and every other inactive. */
  activate(version: string): Promise<void>;
  list(): Promise<Array<Omit<StoredModel, 'model'>>>;
}

/** Everything the registry persists. */
export interface RegistryStore {
  records: RecordStore;
  changes: ChangeLog;
  outbox: OutboxStore;
  reviews: ReviewStore;
  merges: MergeStore;
  tokens: TokenStore;
  models: ModelStore;
}

