/**
 * Leases that serialise conflicting identity changes across requests AND processes.
 *
 * A registration claims every blocking key and identifier of the incoming record before it looks
 * for candidates, and keeps the claims until its change is applied. Two records of one person share
 * blocking keys, so the second waits and then sees the first one's golden record: no duplicate
 * golden records. Manual operations claim the MPI IDs and source keys they touch. Claims are taken
 * in sorted order (no deadlock between holders), each atomically (insert, or take over an expired
 * lease with a conditional update), with jittered exponential backoff; a store that can batch takes
 * all free keys in one round trip first and keeps only the sorted prefix it got. A lease expires so a crashed
 * process cannot block a key forever; the journal's version guards catch the rare change made after
 * a lease expired (it fails with 'conflict' and is retried).
 */
import { MediatorError } from '../core/errors';
import type { Clock } from '../core/types';
import type { ClaimStore } from './store';

/** Lease timing. */
export interface ClaimConfig {
  /** Lease duration; longer than any single change. */
  leaseMs: number;
  /** Give up (503 'unavailable', retryable) after this long. */
  waitMs: number;
}

export const DEFAULT_CLAIM_CONFIG: ClaimConfig = { leaseMs: 30_000, waitMs: 20_000 };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Run `fn` while holding leases on all `keys`; always releases them.
 * @param store - the claim store
 * @param keys - keys to lock (deduplicated and sorted here)
 * @param owner - unique owner id of this operation
 * @param clock - time source
 * @param cfg - lease timing
 * @param fn - the critical section
 */
export async function withClaims<T>(store: ClaimStore, keys: string[], owner: string, clock: Clock, cfg: ClaimConfig, fn: () => Promise<T>): Promise<T> {
  const sorted = [...new Set(keys)].sort();
  const held: string[] = [];
  try {
    const deadline = Date.now() + cfg.waitMs;
    held.push(...(await acquireFreePrefix(store, sorted, owner, clock, cfg)));
    for (const key of sorted.slice(held.length)) {
      await acquire(store, key, owner, clock, cfg, deadline);
      held.push(key);
    }
    return await fn();
  } finally {
    if (held.length > 0) {
      await store.release(held, owner);
    }
  }
}

/**
 * Try every key in one round trip (stores that can batch) and keep the longest sorted prefix taken;
 * keys taken beyond the first one held by someone else are given back, so a waiter only ever holds a
 * sorted prefix, as with one-by-one acquisition (no deadlock).
 * @returns the prefix of `sorted` now held
 */
async function acquireFreePrefix(store: ClaimStore, sorted: string[], owner: string, clock: Clock, cfg: ClaimConfig): Promise<string[]> {
  if (!store.tryAcquireMany || sorted.length === 0) return [];
  const now = clock.now();
  const got = new Set(await store.tryAcquireMany(sorted, owner, new Date(now.getTime() + cfg.leaseMs), now));
  let prefix = 0;
  while (prefix < sorted.length && got.has(sorted[prefix] as string)) prefix++;
  const beyond = sorted.slice(prefix).filter((k) => got.has(k));
  if (beyond.length > 0) await store.release(beyond, owner);
  return sorted.slice(0, prefix);
}

async function acquire(store: ClaimStore, key: string, owner: string, clock: Clock, cfg: ClaimConfig, deadline: number): Promise<void> {
  let delay = 2;
  for (;;) {
    const now = clock.now();
    if (await store.tryAcquire(key, owner, new Date(now.getTime() + cfg.leaseMs), now)) {
      return;
    }
    if (Date.now() > deadline) {
      throw new MediatorError('unavailable', 'registry busy: could not lock the records concerned, retry later');
    }
    await sleep(delay + Math.random() * delay);
    delay = Math.min(delay * 2, 100);
  }
}
