/**
 * Drains the outbox to the event bus. At-least-once: an event is marked published only after the
 * broker acknowledged it, so a crash between the two republishes it with the same `ce_id`, which
 * consumers dedupe on. Events go out in change-log order, one batch at a time, preserving per-key order.
 */
import type { OutboxEvent } from '../core/types';
import { MissingTopicError } from './ports';
import type { RelayHealth, RelayObserver, RelayOptions } from './relay-types';

export type { RelayHealth, RelayObserver, RelayOptions } from './relay-types';

/** Events read from the outbox for one publish, and the number of the read that found them. */
interface Batch {
  events: OutboxEvent[];
  read: number;
}

/** A caller of whenCaughtUp, and how many reads had started when it asked. */
interface CatchUpWaiter {
  resolve: () => void;
  readsBefore: number;
}

/** A polling relay from the outbox to Kafka with exponential backoff on failure. */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** Stopped for good: a start that comes later (Kafka connecting after shutdown began) is ignored. */
  private stopped = false;
  private inFlight: Promise<number> | null = null;
  private failures = 0;
  private failingSince: Date | null = null;
  private missingTopics: string[] = [];
  /** A nudge arrived while a batch was in flight: drain again at once. */
  private dirty = false;
  /** Ids published whose bookkeeping is still running (not handed out again meanwhile). */
  private readonly marking = new Set<string>();
  /** Ids of the batch being published now (the read of the next batch leaves them out). */
  private readonly publishing = new Set<string>();
  /** The next batch, read while a full one was being published (a backlog), with its read's number. */
  private prefetched: Promise<Batch> | null = null;
  /** Reads of the outbox started so far: a batch knows its read, a catch-up waiter the reads before it. */
  private reads = 0;
  /** The read number of the batch the last drain published (or found empty). */
  private lastRead = 0;
  /** The bookkeeping of the last batch published, and its failure until reported. */
  private marked: Promise<void> = Promise.resolve();
  private markFailure: Error | null = null;
  /** Observers added after construction (the OpenHIM envelope's publish watch). */
  private readonly observers: RelayObserver[] = [];
  /** Callers waiting for the outbox to be drained as it stood when they asked (reads started before). */
  private catchUpWaiters: CatchUpWaiter[] = [];
  /** Events published since start, for /metrics. */
  publishedCount = 0;
  lastError: string | null = null;

  /**
   * @param opts - outbox, publisher, logger and pacing
   */
  constructor(private readonly opts: RelayOptions) {}

  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.schedule(0);
  }

  /** Wake the relay now (a change was just committed) instead of at the next poll. */
  nudge(): void {
    if (!this.running || this.failures > 0) return;
    if (this.inFlight) {
      this.dirty = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.schedule(0);
  }

  /**
   * Also tell `observer` about every batch published and every failure.
   * @param observer - the observer
   */
  addObserver(observer: RelayObserver): void {
    this.observers.push(observer);
  }

  /**
   * Resolves once every event that was in the outbox when it was called has been published and
   * marked (a drain that started after the call found no more than a partial batch). It never
   * resolves while the relay is stopped or failing: callers bound the wait.
   */
  whenCaughtUp(): Promise<void> {
    return new Promise((resolve) => {
      this.catchUpWaiters.push({ resolve, readsBefore: this.reads });
      this.nudge();
    });
  }

  /**
   * Stop polling and finish the batch in flight, then try one last drain, and give up the claims
   * left (what could not be published now goes to the other processes at once, not after the lease).
   * Final: `start()` does nothing afterwards — the app starts the relay once Kafka connects, which
   * may happen after a stop (shutdown during start-up, or a test that relays with other processes).
   */
  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight?.catch(() => 0);
    await this.drainOnce().catch(() => 0);
    await this.settled().catch(() => undefined);
    await this.opts.outbox.release?.().catch((err: unknown) => this.opts.logger.warn({ err }, 'outbox claims not released; they expire after EVENT_CLAIM_LEASE_MS'));
  }

  /**
   * Publish one batch; returns how many events went out. Exposed for tests and shutdown.
   * While a full batch (a backlog) goes to Kafka, the next one is read and claimed; it is published
   * only after this one was acknowledged, and dropped if this one failed (its claims are this
   * process's: the next drain reads them again, in order). The bookkeeping of a batch
   * (markPublished) runs while the next batch is published: its events are not handed out again
   * meanwhile, so per-key order holds. If the bookkeeping fails, those events are published again
   * later with the same `ce_id` (at least once).
   */
  async drainOnce(): Promise<number> {
    const limit = this.opts.batchSize ?? 500;
    const { events, read } = await (this.takePrefetched() ?? this.read(limit));
    this.lastRead = read;
    if (events.length === 0) {
      await this.settled();
      return 0;
    }
    const started = process.hrtime.bigint();
    for (const e of events) this.publishing.add(e.id);
    if (events.length >= limit && this.running) this.prefetch(limit);
    try {
      await this.opts.publisher.publish(events);
      await this.settled();
    } catch (err) {
      await this.dropPrefetched();
      throw err;
    } finally {
      for (const e of events) this.publishing.delete(e.id);
    }
    this.markInBackground(events, started);
    this.publishedCount += events.length;
    return events.length;
  }

  /**
   * Read up to `limit` events that are not being published or marked by this process.
   * @param limit - events at most
   */
  private async read(limit: number): Promise<Batch> {
    const read = ++this.reads;
    // Ids busy when the read starts: the read may still see them pending even if their bookkeeping
    // finishes before it returns.
    const busy = new Set([...this.marking, ...this.publishing]);
    const fetched = await this.opts.outbox.pending(limit + busy.size, busy);
    return { events: fetched.filter((e) => !busy.has(e.id) && !this.marking.has(e.id) && !this.publishing.has(e.id)).slice(0, limit), read };
  }

  private prefetch(limit: number): void {
    const next = this.read(limit);
    // A failed read is reported by the drain that takes it; never an unhandled rejection meanwhile.
    next.catch(() => undefined);
    this.prefetched = next;
  }

  private takePrefetched(): Promise<Batch> | null {
    const next = this.prefetched;
    this.prefetched = null;
    return next;
  }

  private async dropPrefetched(): Promise<void> {
    await this.takePrefetched()?.catch(() => undefined);
  }

  /**
   * Mark a published batch in the background; the next drain waits for it before its own marking.
   * @param events - the batch, acknowledged by the broker
   * @param started - when its publish began (for the observers' timing)
   */
  private markInBackground(events: OutboxEvent[], started: bigint): void {
    const ids = events.map((e) => e.id);
    for (const id of ids) this.marking.add(id);
    this.marked = this.opts.outbox.markPublished(ids).then(
      () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        for (const o of this.allObservers()) o.published(events, seconds);
      },
      (err: unknown) => {
        this.markFailure = err instanceof Error ? err : new Error('marking published events failed');
      },
    ).finally(() => {
      for (const id of ids) this.marking.delete(id);
    });
  }

  /** Drain until the outbox is empty (used by tests and the demo). */
  async flush(): Promise<void> {
    while ((await this.drainOnce()) > 0) {
      // keep going until nothing is pending
    }
    await this.settled();
  }

  /**
   * Wait for the last batch's bookkeeping; if it failed, fail now (the relay backs off, and those
   * events are handed out, and published, again).
   */
  private async settled(): Promise<void> {
    await this.marked;
    const err = this.markFailure;
    this.markFailure = null;
    if (err !== null) throw err;
  }

  /** The relay's state for /ready. */
  health(): RelayHealth {
    return { failing: this.failures > 0, lastError: this.lastError, missingTopics: [...this.missingTopics], failingSince: this.failingSince?.toISOString() ?? null };
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private allObservers(): RelayObserver[] {
    return this.opts.observer ? [this.opts.observer, ...this.observers] : this.observers;
  }

  private async tick(): Promise<void> {
    this.timer = null;
    this.dirty = false;
    this.inFlight = this.drainOnce();
    try {
      const n = await this.inFlight;
      if (n < (this.opts.batchSize ?? 500)) {
        await this.settled();
        this.resolveCaughtUp(this.lastRead);
      }
      this.recovered();
      this.schedule(n >= (this.opts.batchSize ?? 500) || this.dirty ? 0 : (this.opts.idleMs ?? 100));
    } catch (err) {
      this.schedule(this.failed(err));
    } finally {
      this.inFlight = null;
    }
  }

  /**
   * A read found a partial batch: it caught up with the callers that asked before it started.
   * @param read - the number of that read
   */
  private resolveCaughtUp(read: number): void {
    const done = this.catchUpWaiters.filter((w) => w.readsBefore < read);
    this.catchUpWaiters = this.catchUpWaiters.filter((w) => w.readsBefore >= read);
    for (const w of done) w.resolve();
  }

  private recovered(): void {
    if (this.failures > 0) this.opts.logger.info({ failures: this.failures, since: this.failingSince }, 'outbox relay publishing again');
    this.failures = 0;
    this.failingSince = null;
    this.lastError = null;
    this.missingTopics = [];
  }

  /** Record a failure; returns the backoff before the next attempt. */
  private failed(err: unknown): number {
    this.failures += 1;
    this.failingSince ??= new Date();
    this.lastError = err instanceof Error ? err.message : String(err);
    this.missingTopics = err instanceof MissingTopicError ? err.topics : [];
    for (const o of this.allObservers()) o.failed(err);
    const backoff = Math.min(this.opts.maxBackoffMs ?? 10000, 100 * 2 ** Math.min(this.failures, 10));
    // A missing topic needs an operator: say so loudly, once per run of failures and then rarely.
    if (err instanceof MissingTopicError) {
      if (this.failures === 1 || this.failures % 30 === 0) this.opts.logger.error({ topics: err.topics, failures: this.failures }, err.message);
    } else {
      this.opts.logger.warn({ err, failures: this.failures, backoffMs: backoff }, 'outbox relay failed; events wait in the outbox');
    }
    return backoff;
  }
}
