/**
 * Drains the outbox to the event bus. At-least-once: an event is marked published only after the
 * broker acknowledged it, so a crash between the two republishes it with the same `ce_id`, which
 * consumers dedupe on. Events go out in journal order, one batch at a time, preserving per-key order.
 */
import type { Logger } from '../core/logger';
import type { EventPublisher, Outbox } from './ports';

export interface RelayOptions {
  outbox: Outbox;
  publisher: EventPublisher;
  logger: Logger;
  batchSize?: number;
  idleMs?: number;
  maxBackoffMs?: number;
}

/** A polling relay from the outbox to Kafka with exponential backoff on failure. */
export class OutboxRelay {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private inFlight: Promise<number> | null = null;
  private failures = 0;
  /** Events published since start, for /metrics. */
  publishedCount = 0;
  lastError: string | null = null;

  /**
   * @param opts - outbox, publisher, logger and pacing
   */
  constructor(private readonly opts: RelayOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stop polling and finish the batch in flight, then try one last drain. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight?.catch(() => 0);
    await this.drainOnce().catch(() => 0);
  }

  /** Publish one batch; returns how many events went out. Exposed for tests and shutdown. */
  async drainOnce(): Promise<number> {
    const events = await this.opts.outbox.pending(this.opts.batchSize ?? 500);
    if (events.length === 0) return 0;
    await this.opts.publisher.publish(events);
    await this.opts.outbox.markPublished(events.map((e) => e.id));
    this.publishedCount += events.length;
    return events.length;
  }

  /** Drain until the outbox is empty (used by tests and the demo). */
  async flush(): Promise<void> {
    while ((await this.drainOnce()) > 0) {
      // keep going until nothing is pending
    }
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.inFlight = this.drainOnce();
    try {
      const n = await this.inFlight;
      this.failures = 0;
      this.lastError = null;
      this.schedule(n >= (this.opts.batchSize ?? 500) ? 0 : (this.opts.idleMs ?? 100));
    } catch (err) {
      this.failures += 1;
      this.lastError = err instanceof Error ? err.message : String(err);
      const backoff = Math.min(this.opts.maxBackoffMs ?? 10000, 100 * 2 ** Math.min(this.failures, 10));
      this.opts.logger.warn({ err, failures: this.failures, backoffMs: backoff }, 'outbox relay failed; retrying');
      this.schedule(backoff);
    } finally {
      this.inFlight = null;
    }
  }
}
