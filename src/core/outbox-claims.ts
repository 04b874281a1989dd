/**
 * Claims on outbox entries, so that several mediator processes can relay one database's outboxes at
 * once (the pure part; storage/outbox-claims.ts runs it on MongoDB, the registry's memory twin in memory).
 *
 * An entry (a registry change with its events, a queued event…) is published by the process that
 * holds its claim: `claimedBy` (the process's claimant id) until `claimUntil` (Unix ms). A claim is
 * taken by a conditional single-document update whose filter says "unclaimed, or mine, or expired",
 * so two processes never both hold one. A process that crashes leaves its claims to expire; the next
 * process to read them takes them over and publishes them again under the same `ce_id` (at least
 * once: the only duplicates are what the dead process had claimed).
 *
 * Per-key order across processes. Entries are read in publication order (the registry's `seq`), and
 * an entry is publishable only when no earlier entry still waiting shares one of its keys, unless
 * this process publishes that earlier one first in the same batch. So a walk in order keeps a set of
 * blocked keys: the keys of every earlier entry this process will not publish now — one another
 * process holds, one still in flight (committed, not applied), one that it was about to claim but
 * lost to another process — and every entry that touches a blocked key is skipped (and blocks its own
 * keys in turn, so a chain of changes on one person waits as a whole). A skipped entry is published
 * in a later round, once the earlier ones are marked published. The walk runs twice: once to choose
 * what to claim, and once on what the claim update actually won, because another process may have
 * taken an earlier entry between the read and the update.
 */
import { randomBytes } from 'node:crypto';

/** Who claims outbox entries in this process, and for how long a claim holds. */
export interface Claimant {
  /** Unique per process lifetime: the instance id, the pid and random bits (two replicas may share INSTANCE_ID). */
  holder: string;
  /** How long a claim holds (ms): longer than a batch's publish can take, or it is published twice. */
  leaseMs: number;
}

/**
 * A claimant for this process.
 * @param instance - the mediator's INSTANCE_ID
 * @param leaseMs - how long its claims hold
 */
export function newClaimant(instance: string, leaseMs: number): Claimant {
  return { holder: `${instance}.${process.pid}.${randomBytes(4).toString('hex')}`, leaseMs };
}

/** The claim an entry carries (absent: unclaimed). */
export interface ClaimState {
  claimedBy?: string;
  /** Unix ms. */
  claimUntil?: number;
}

/**
 * Whether `holder` may claim an entry now: unclaimed, its own, or expired.
 * @param claim - the entry's claim fields
 * @param holder - the claimant
 * @param now - Unix ms
 */
export function claimable(claim: ClaimState, holder: string, now: number): boolean {
  return claim.claimedBy === undefined || claim.claimedBy === holder || (claim.claimUntil ?? 0) < now;
}

/** Where an entry stands for this process in one walk. */
export type EntryStanding =
  /** This process may (plan) or does (confirm) hold it. */
  | 'mine'
  /** Another process holds it, or it is not ready (in flight): it blocks its keys. */
  | 'blocking'
  /** Published meanwhile: nothing to order against. */
  | 'done';

/** One outbox entry as the walk sees it. */
export interface WalkEntry {
  id: string;
  /** The keys whose order it must keep (topic and key of each event); empty: no order to keep. */
  keys: readonly string[];
  /** Events it holds (the batch limit counts events). */
  size: number;
}

/**
 * The entries this process may publish now, in order (see the module comment): each `mine` entry none
 * of whose keys an earlier blocking or skipped entry holds, until `limit` events (an entry is never
 * split; the first is taken whatever its size).
 * @param entries - the entries waiting, in publication order
 * @param standing - where each stands
 * @param limit - events at most (Infinity: no limit)
 */
export function publishable<E extends WalkEntry>(entries: readonly E[], standing: (e: E) => EntryStanding, limit: number): E[] {
  const blocked = new Set<string>();
  const out: E[] = [];
  let events = 0;
  for (const e of entries) {
    const where = standing(e);
    if (where === 'done') continue;
    if (where === 'blocking' || e.keys.some((k) => blocked.has(k))) {
      for (const k of e.keys) blocked.add(k);
      continue;
    }
    if (out.length > 0 && events + e.size > limit) break;
    out.push(e);
    events += e.size;
  }
  return out;
}
