/**
 * Per-client request budgets (token buckets, in memory per process) and a failure throttle for the
 * token endpoint. Keys are client ids or `ip:<address>`, never personal data.
 */
import type { Clock } from '../core/types';
import { systemClock } from '../core/types';

/** The state of one key's budget after a request was counted. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the budget is whole again. */
  resetSeconds: number;
  /** Seconds until the next request would be allowed (0 when this one was). */
  retryAfterSeconds: number;
}

export interface RateLimiterOptions {
  perMinute: number;
  clock?: Clock;
  /** Upper bound on tracked keys; idle (full) buckets are dropped first. */
  maxKeys?: number;
}

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date (ms). */
  at: number;
  /** The bucket's own budget (a call may pass a limit other than the default). */
  limit: number;
}

/** Tokens a bucket holds at `now`, refilled at `limit` per minute and capped at `limit`. */
function tokensAt(b: Bucket, now: number): number {
  return Math.min(b.limit, b.tokens + ((now - b.at) * b.limit) / WINDOW_MS);
}

const WINDOW_MS = 60_000;

/**
 * A token bucket per key: `limit` tokens, refilled continuously at `limit` per minute. Unlike
 * windows aligned to the clock, a client can never spend two budgets across a minute boundary, and
 * Retry-After says when the next token is due instead of when a window happens to end.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly clock: Clock;

  /**
   * @param opts - default budget per minute, clock, key bound
   */
  constructor(private readonly opts: RateLimiterOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  /**
   * Count one request for `key` and say whether it may proceed.
   * @param key - client id or `ip:<address>`
   * @param limit - this key's budget per minute (defaults to the configured one)
   */
  consume(key: string, limit = this.opts.perMinute): RateDecision {
    const now = this.clock.now().getTime();
    const msPerToken = WINDOW_MS / limit;
    let b = this.buckets.get(key);
    if (!b) {
      this.evict(now);
      b = { tokens: limit, at: now, limit };
      this.buckets.set(key, b);
    } else {
      b.limit = limit;
      b.tokens = tokensAt(b, now);
      b.at = now;
    }
    const allowed = b.tokens >= 1;
    if (allowed) b.tokens -= 1;
    const seconds = (tokens: number): number => Math.ceil((tokens * msPerToken) / 1000);
    return {
      allowed, limit,
      remaining: Math.floor(b.tokens),
      resetSeconds: Math.max(1, seconds(limit - b.tokens)),
      retryAfterSeconds: allowed ? 0 : Math.max(1, seconds(1 - b.tokens)),
    };
  }

  private evict(now: number): void {
    const max = this.opts.maxKeys ?? 100_000;
    if (this.buckets.size < max) return;
    // Oldest-created first; a bucket idle long enough to be full again loses nothing by going.
    for (const [k, b] of this.buckets) {
      if (tokensAt(b, now) >= b.limit || this.buckets.size >= max) this.buckets.delete(k);
      if (this.buckets.size < max / 2) break;
    }
  }
}

export interface FailureThrottleOptions {
  /** Failures allowed per key within the window before the key is blocked. */
  maxFailures: number;
  windowMs: number;
  /** How long a key stays blocked once over the limit. */
  blockMs: number;
  clock?: Clock;
}

interface FailureState {
  first: number;
  failures: number;
  blockedUntil: number;
}

/** Counts failed attempts (e.g. bad client secrets) per key and blocks a key that fails too often. */
export class FailureThrottle {
  private readonly state = new Map<string, FailureState>();
  private readonly clock: Clock;

  /**
   * @param opts - limits and clock
   */
  constructor(private readonly opts: FailureThrottleOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  /**
   * Seconds the longest-blocked of `keys` must still wait; 0 when none is blocked.
   * @param keys - e.g. `client:<id>` and `ip:<address>`
   */
  blockedFor(keys: string[]): number {
    const now = this.clock.now().getTime();
    const waits = keys.map((k) => (this.state.get(k)?.blockedUntil ?? 0) - now);
    return Math.max(0, Math.ceil(Math.max(...waits, 0) / 1000));
  }

  /**
   * Record one failure for each key.
   * @param keys - the keys the failed attempt counts against
   */
  fail(keys: string[]): void {
    const now = this.clock.now().getTime();
    if (this.state.size > 100_000) this.prune(now);
    for (const k of keys) {
      let s = this.state.get(k);
      if (!s || now - s.first > this.opts.windowMs) s = { first: now, failures: 0, blockedUntil: 0 };
      s.failures += 1;
      if (s.failures >= this.opts.maxFailures) s.blockedUntil = now + this.opts.blockMs;
      this.state.set(k, s);
    }
  }

  /**
   * Forget failures after a success.
   * @param keys - the keys to clear
   */
  succeed(keys: string[]): void {
    for (const k of keys) this.state.delete(k);
  }

  private prune(now: number): void {
    for (const [k, s] of this.state) if (s.blockedUntil < now && now - s.first > this.opts.windowMs) this.state.delete(k);
  }
}
