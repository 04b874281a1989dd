/**
 * Drains the outbox to the event bus. At-least-once: an event is marked published only after the
 * broker acknowledged it, so a crash between the two republishes it with the same `ce_id`, which
 * consumers dedupe on. Events go out in change-log order, one batch at a time, preserving per-key order.
 */
import type { Logger } from '../core/logger';
import type { OutboxEvent } from '../core/types';
import { MissingTopicError } from './ports';
import type { EventPublisher, Outbox } from './ports';

/** Told about every batch published and every failure (metrics). */
export interface RelayObserver {
  published(events: OutboxEvent[], seconds: number): void;
  failed(err: unknown): void;
}

export interface RelayOptions {
  outbox: Outbox;
  publisher: EventPublisher;
  logger: Logger;
  batchSize?: number;
  idleMs?: number;
  maxBackoffMs?: number;
  observer?: RelayObserver;
}

/** What /ready reports about the relay. */
export interface RelayHealth {
  /** The last attempt failed; events wait in the outbox. */
  failing: boolean;
  lastError: string | null;
  /** Topics the broker reported missing on the last attempt. */
  missingTopics: string[];
  /** When the current run of failures began (ISO 8601). */
  failingSince: string | null;
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
  /** The bookkeeping of the last batch published, and its failure until reported. */
  private marked: Promise<void> = Promise.resolve();
  private markFailure: Error | null = null;
  /** Observers added after construction (the OpenHIM envelope's publish watch). */
  private readonly observers: RelayObserver[] = [];
  /** Callers waiting for the outbox to be drained as it stood when they asked. */
  private catchUpWaiters: Array<() => void> = [];
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
      this.catchUpWaiters.push(resolve);
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
   * The bookkeeping of a batch (markPublished) runs while the next batch is read and published: its
   * events are not handed out again meanwhile, and the next batch goes to Kafka only after this one
   * was acknowledged, so per-key order holds. If the bookkeeping fails, those events are published
   * again later with the same `ce_id` (at least once).
   */
  async drainOnce(): Promise<number> {
    const limit = this.opts.batchSize ?? 500;
    // Ids being marked when the read starts: the read may still see them pending even if their
    // bookkeeping finishes before it returns.
    const marking = new Set(this.marking);
    const fetched = await this.opts.outbox.pending(limit + marking.size);
    const events = fetched.filter((e) => !marking.has(e.id) && !this.marking.has(e.id)).slice(0, limit);
    if (events.length === 0) {
      await this.settled();
      return 0;
    }
    const started = process.hrtime.bigint();
    await this.opts.publisher.publish(events);
    await this.settled();
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
    this.publishedCount += events.length;
    return events.length;
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
    // Waiters that asked before this drain started: a partial batch means it caught up with them.
    const waiters = this.catchUpWaiters;
    this.catchUpWaiters = [];
    this.inFlight = this.drainOnce();
    try {
      const n = await this.inFlight;
      if (n < (this.opts.batchSize ?? 500)) {
        await this.settled();
        for (const resolve of waiters) resolve();
      } else {
        this.catchUpWaiters.unshift(...waiters);
      }
      this.recovered();
      this.schedule(n >= (this.opts.batchSize ?? 500) || this.dirty ? 0 : (this.opts.idleMs ?? 100));
    } catch (err) {
      this.catchUpWaiters.unshift(...waiters);
      this.schedule(this.failed(err));
    } finally {
      this.inFlight = null;
    }
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
