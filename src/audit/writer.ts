/**
 * Writes audit records off the request path: `record()` only queues; a background flush appends
 * batches to the store. A failed append is retried with backoff and reported (error log + stats),
 * never dropped silently; only when the queue overflows are the oldest records discarded, and that
 * is reported as an error with the count.
 */
import type { Logger } from '../core/logger';
import type { AuditRecord, AuditStore } from './ports';

export interface AuditWriterOptions {
  store: AuditStore;
  logger: Logger;
  batchSize?: number;
  maxQueue?: number;
  /** First retry delay; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
}

/** Counters for /metrics and /ready. */
export interface AuditWriterStats {
  pending: number;
  written: number;
  failedAttempts: number;
  dropped: number;
}

/** Queues audit records and writes them in the background. */
export class AuditWriter {
  private queue: AuditRecord[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private delay: number;
  private readonly counts = { written: 0, failedAttempts: 0, dropped: 0 };

  /**
   * @param opts - store, logger and limits
   */
  constructor(private readonly opts: AuditWriterOptions) {
    this.delay = opts.retryMs ?? 200;
  }

  /**
   * Queue a record; returns at once.
   * @param record - the audit record
   */
  record(record: AuditRecord): void {
    this.queue.push(record);
    const max = this.opts.maxQueue ?? 100_000;
    if (this.queue.length > max) {
      const lost = this.queue.length - max;
      this.queue.splice(0, lost);
      this.counts.dropped += lost;
      this.opts.logger.error({ dropped: lost, totalDropped: this.counts.dropped }, 'audit queue overflow: oldest audit records discarded');
    }
    this.kick();
  }

  /** Current counters. */
  stats(): AuditWriterStats {
    return { pending: this.queue.length, ...this.counts };
  }

  /**
   * Write everything queued (used at shutdown and by tests); resolves false if records remain.
   * @param timeoutMs - give up after this long
   */
  async flush(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < deadline) {
      if (this.timer) {
        clearTimeout(this.timer);
        this.timer = null;
      }
      this.kick();
      await this.flushing;
      if (this.queue.length > 0) await new Promise((r) => setTimeout(r, 20));
    }
    return this.queue.length === 0;
  }

  /** Stop retry timers (after a final flush). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private kick(): void {
    if (this.flushing || this.timer) return;
    const run = this.drain();
    this.flushing = run;
    void run.finally(() => {
      if (this.flushing === run) this.flushing = null;
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.slice(0, this.opts.batchSize ?? 100);
        await this.opts.store.append(batch);
        this.queue.splice(0, batch.length);
        this.counts.written += batch.length;
        this.delay = this.opts.retryMs ?? 200;
      }
    } catch (err) {
      this.counts.failedAttempts += 1;
      this.opts.logger.error({ err, pending: this.queue.length, retryInMs: this.delay }, 'audit write failed; will retry');
      this.timer = setTimeout(() => {
        this.timer = null;
        this.kick();
      }, this.delay);
      this.timer.unref();
      this.delay = Math.min(this.delay * 2, this.opts.maxRetryMs ?? 30_000);
    }
  }
}
