/**
 * What the sync keeps between runs and across restarts: per-channel state (cursors, what was last
 * sent upstream), the dead-letter store of records that could not be taken in, and the record of
 * every run. Each store has a MongoDB adapter (mongo-stores.ts) and an in-memory twin
 * (memory-stores.ts) held to one contract.
 */
import type { OutboxEvent } from '../core/types';
import type { Outbox } from '../events/ports';

export { CHANNEL_NAMES, isChannelName } from '../channels/ports';
export type { ChannelName } from '../channels/ports';

/** Small JSON values a channel keeps per key: a cursor per scope, a hash per record sent. */
export interface ChannelStateStore {
  get<T>(channel: string, key: string): Promise<T | null>;
  put(channel: string, key: string, value: unknown): Promise<void>;
  /** Every key of a channel starting with `prefix`, with its value and when it was written. */
  list<T>(channel: string, prefix: string): Promise<Array<{ key: string; value: T; updatedAt: string }>>;
}

/** Where a record failed on its way in (or back out). */
export type FailureStage = 'receive' | 'mapping' | 'validation' | 'registration' | 'write-back' | 'outbound';

/** A dead letter: a record that could not be taken in, kept with its payload and the reason. */
export interface DeadLetter {
  id: string;
  channel: string;
  stage: FailureStage;
  /** The source's resource type (trackedEntity, Patient, Practitioner, PractitionerRole, row…). */
  resourceType: string;
  /** The source's id of the record, when it has one. */
  resourceId?: string;
  /** Kafka key of the DLQ event: the source `system|value`, or `sha256:<hash>` of the payload. */
  key: string;
  /** The payload as received (for write-back and outbound failures: what was to be sent). */
  payload: unknown;
  /** The mapping the record goes through (re-drives use the mapping as it is then). */
  mapping?: string;
  reason: string;
  issues?: Array<{ path?: string; message: string }>;
  status: 'open' | 'resolved';
  /** How many times this payload failed (a re-delivered payload is one entry). */
  occurrences: number;
  /** Re-drive attempts through `POST /sync/failures/{id}/retry`. */
  retries: number;
  firstSeenAt: string;
  lastSeenAt: string;
  resolvedAt?: string;
  /** Published on the DLQ topic. */
  published: boolean;
  /**
   * ce_id of the DLQ event waiting to be published (or last published): a new one each time the
   * entry is to be published again (a re-drive that failed, a resolved payload failing anew).
   */
  eventId: string;
}

/** A filter of the failures list. */
export interface FailureQuery {
  channel?: string;
  resourceType?: string;
  resourceId?: string;
  status?: 'open' | 'resolved';
  offset: number;
  limit: number;
}

/** What a new failure carries (the store assigns id, counts and times). */
export type NewDeadLetter = Pick<DeadLetter, 'channel' | 'stage' | 'resourceType' | 'resourceId' | 'key' | 'payload' | 'reason' | 'issues' | 'mapping'>;

/**
 * The dead-letter store. It is also the DLQ topic's outbox: an entry is written unpublished and the
 * relay publishes it, so a dead letter waits here, not lost, while Kafka is down.
 */
export interface DeadLetterStore extends Outbox {
  /**
   * Record a failure; the same payload failing again at the same stage adds an occurrence to its entry.
   * @returns the entry
   */
  record(failure: NewDeadLetter, at: string): Promise<DeadLetter>;
  get(id: string): Promise<DeadLetter | null>;
  list(query: FailureQuery): Promise<{ total: number; items: DeadLetter[] }>;
  /** Mark the open entries of these records resolved (they came in since); returns how many. */
  resolveRecords(channel: string, resourceType: string, resourceIds: string[], at: string): Promise<number>;
  resolve(id: string, at: string): Promise<void>;
  /** A re-drive failed again: new reason, one more retry. */
  retried(id: string, failure: Pick<DeadLetter, 'stage' | 'reason' | 'issues'>, at: string): Promise<void>;
  countOpen(channel: string): Promise<number>;
}

/** Outcome counts of a run (or of a page). */
export interface SyncCounts {
  received: number;
  created: number;
  updated: number;
  linked: number;
  review: number;
  unchanged: number;
  deactivated: number;
  failed: number;
  writtenBack: number;
}

/** Counts at zero. */
export function zeroCounts(): SyncCounts {
  return { received: 0, created: 0, updated: 0, linked: 0, review: 0, unchanged: 0, deactivated: 0, failed: 0, writtenBack: 0 };
}

/**
 * Add `b` into `a`.
 * @param a - accumulated counts (changed)
 * @param b - counts to add
 */
export function addCounts(a: SyncCounts, b: Partial<SyncCounts>): SyncCounts {
  for (const k of Object.keys(a) as Array<keyof SyncCounts>) a[k] += b[k] ?? 0;
  return a;
}

/** One run of one channel. */
export interface SyncRun {
  id: string;
  channel: string;
  trigger: 'schedule' | 'api' | 'cli' | 'retry';
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt?: string;
  pages: number;
  counts: SyncCounts;
  /** Records the source said it holds for this run, when it says (for progress and time left). */
  expected?: number;
  /** Why the run stopped, when it failed (an upstream error, a store error). */
  error?: string;
  /** Whether the run reached the end of what the source had (the channel is caught up). */
  caughtUp: boolean;
}

/** The record of runs. */
export interface SyncRunStore {
  save(run: SyncRun): Promise<void>;
  /** The latest run of a channel, and the latest that caught up. */
  latest(channel: string): Promise<{ last: SyncRun | null; lastCaughtUp: SyncRun | null }>;
  /** Runs left `running` by a process that stopped: marked failed at start. */
  failInterrupted(at: string): Promise<number>;
}

/**
 * Events the channels emit outside the registry's change log (health-worker changes): written here
 * first, relayed to Kafka by an OutboxRelay. Ids are derived from the content, so the same change
 * offered twice is stored once.
 */
export interface ChannelEventStore extends Outbox {
  /**
   * Store an event unless one with its id exists.
   * @returns whether it was new
   */
  add(event: OutboxEvent): Promise<boolean>;
  /** Whether an event with this id was ever stored (published or not). */
  has(id: string): Promise<boolean>;
}
