/**
 * Per-client request budgets (fixed one-minute windows, in memory per process) and a failure
 * throttle for the token endpoint. Keys are client ids or `ip:<address>`, never personal data.
 */
import type { Clock } from '../core/types';
import { systemClock } from '../core/types';

/** The state of one key's budget after a request was counted. */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

export interface RateLimiterOptions {
  perMinute: number;
  clock?: Clock;
  /** Upper bound on tracked keys; the oldest windows are dropped first. */
  maxKeys?: number;
}

interface Window {
  start: number;
  count: number;
}

const WINDOW_MS = 60_000;

/** Fixed-window request counter per key. */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();
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
    let w = this.windows.get(key);
    if (!w || now - w.start >= WINDOW_MS) {
      this.windows.delete(key);
      this.evict(now);
      w = { start: now - (now % WINDOW_MS), count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    const resetSeconds = Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000));
    return { allowed: w.count <= limit, limit, remaining: Math.max(0, limit - w.count), resetSeconds };
  }

  private evict(now: number): void {
    const max = this.opts.maxKeys ?? 100_000;
    if (this.windows.size < max) return;
    for (const [k, w] of this.windows) {
      if (now - w.start >= WINDOW_MS || this.windows.size >= max) this.windows.delete(k);
      if (this.windows.size < max / 2) break;
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
