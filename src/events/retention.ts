/**
 * The outbox retention job: published events are kept EVENT_RETENTION_DAYS for audit and
 * `replay --mode retained`, then removed (the registry keeps each change's history for good; only
 * its events and recovery writes go). Every mediator process runs it; the removal is idempotent, so
 * several at once only repeat each other's work.
 */
import type { Logger } from '../core/logger';
import type { Outbox } from './ports';

const DAY_MS = 86_400_000;

export interface RetentionOptions {
  outbox: Outbox;
  logger: Logger;
  /** How long published events are kept (days; 0 keeps them for good). */
  days: number;
  /** How often the job runs (ms). */
  intervalMs: number;
  now?: () => Date;
}

/** Runs the outbox's `prune` on a timer. */
export class OutboxRetention {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  /**
   * @param opts - the outbox, the retention period and how often to run
   */
  constructor(private readonly opts: RetentionOptions) {}

  /** The cut: published events committed before it are removed (ISO 8601). */
  cutoff(): string {
    return new Date((this.opts.now?.() ?? new Date()).getTime() - this.opts.days * DAY_MS).toISOString();
  }

  /** Start the timer (a first run at once); does nothing when retention is 0 (keep for good) or the outbox keeps nothing. */
  start(): void {
    if (this.timer || this.opts.days <= 0 || !this.opts.outbox.prune) return;
    this.timer = setInterval(() => void this.runOnce(), this.opts.intervalMs);
    this.timer.unref();
    void this.runOnce();
  }

  /** Remove what is past retention now; returns how many entries went (0 when a run is already going). */
  async runOnce(): Promise<number> {
    if (this.running || !this.opts.outbox.prune || this.opts.days <= 0) return 0;
    const before = this.cutoff();
    this.running = this.opts.outbox.prune(before);
    try {
      const n = await this.running;
      if (n > 0) this.opts.logger.info({ pruned: n, before }, 'removed published events past retention');
      return n;
    } catch (err) {
      // The next run tries again; nothing is lost by waiting.
      this.opts.logger.warn({ err }, 'outbox retention run failed');
      return 0;
    } finally {
      this.running = null;
    }
  }

  /** Stop the timer and wait for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => 0);
  }
}
