/**
 * Runs identity changes (design in store.ts): stage on a fresh builder, commit with leases and
 * guards, re-read the lookup check of a change that created a person, apply the writes, finish.
 * A commit that meets a lease waits for its holder (finishing the holder itself when the holder's
 * process died); one that loses a version race or fails its check is recomputed from fresh reads.
 * `recoverChanges` finishes what a crash left between commit and finish.
 */
import { isMediatorError, MediatorError } from '../core/errors';
import type { Actor } from '../core/types';
import { ChangeBuilder } from './change-builder';
import { lookupFingerprint } from './lookup-query';
import type { RegistryContext } from './context';
import type { HistoryOperation } from './history';
import type { Change, CommitConflict, LookupCheck, LookupQuery, RegistryStore } from './store';
import { StaleLookupError } from './lookup-snapshot';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Apply a committed change's writes (idempotent) and finish it.
 * @param store - the registry store
 * @param change - a committed change
 */
export async function applyChange(store: RegistryStore, change: Change): Promise<void> {
  await Promise.all([
    store.records.write(change.writes),
    change.reviews.length > 0 ? store.reviews.put(change.reviews) : undefined,
    change.merges.length > 0 ? store.merges.put(change.merges) : undefined,
  ]);
  await store.changes.finish(change.id);
}

/**
 * Whether the lookups a decision rested on still return what they returned (nothing written since).
 * @param store - the registry store
 * @param check - the change's lookup check
 */
export async function checkHolds(store: RegistryStore, check: LookupCheck): Promise<boolean> {
  const seen = new Set(check.seen);
  const read = store.records.lookupFingerprints?.bind(store.records) ?? (async (q: LookupQuery) => lookupFingerprint(await store.records.lookup(q)));
  const results = await Promise.all(check.queries.map(read));
  return results.every((found) => found.every((f) => seen.has(f)));
}

/**
 * Finish a committed change whose process may have died: apply it, or abort it when its check fails
 * (only once it is old enough that its own process cannot still be applying it).
 * @param ctx - registry context
 * @param change - a committed, unfinished change
 */
async function finishStale(ctx: RegistryContext, change: Change): Promise<void> {
  if (change.check && !(await checkHolds(ctx.store, change.check))) {
    const age = ctx.clock.now().getTime() - Date.parse(change.at);
    if (age < ctx.cfg.abandonAfterMs) return;
    ctx.logger.warn({ changeId: change.id, operation: change.operation }, 'abandoned change failed its lookup check; aborted');
    await ctx.store.changes.abort(change.id);
    return;
  }
  await applyChange(ctx.store, change);
}

/**
 * Finish changes a crash left committed but unfinished, oldest first.
 * @param ctx - registry context
 * @param opts - batch size and how old a change must be (younger ones are being applied by their writer)
 * @returns how many changes were finished or aborted
 */
export async function recoverChanges(ctx: RegistryContext, opts: { limit?: number; graceMs?: number } = {}): Promise<number> {
  const cutoff = ctx.clock.now().getTime() - (opts.graceMs ?? ctx.cfg.recoveryGraceMs);
  let n = 0;
  for (const change of await ctx.store.changes.unfinished(opts.limit ?? 1000)) {
    if (Date.parse(change.at) > cutoff) continue;
    await finishStale(ctx, change);
    n += 1;
  }
  return n;
}

/**
 * Wait until no other change holds `leases`: a live holder is waited for; a holder older than the
 * recovery grace is finished here; a lease whose change was never committed is dropped.
 * @param ctx - registry context
 * @param leases - the leases found held
 * @param deadline - give up (503, retryable) after this time (ms since epoch)
 */
async function waitForLeases(ctx: RegistryContext, leases: string[], deadline: number): Promise<void> {
  for (const lease of leases) {
    for (let delay = 2; ; delay = Math.min(delay * 2, 100)) {
      const holder = await ctx.store.changes.leaseHolder(lease);
      if (!holder) break;
      const stale = ctx.clock.now().getTime() - Date.parse(holder.at) > ctx.cfg.recoveryGraceMs;
      if (stale) {
        const change = await ctx.store.changes.get(holder.changeId);
        if (change && !change.applied) await finishStale(ctx, change);
        else if (!change) await ctx.store.changes.dropOrphanLease(holder.leaseId);
        continue;
      }
      if (Date.now() > deadline) throw new MediatorError('unavailable', 'registry busy: the records concerned are being changed, retry later', { retryAfterSeconds: 1 });
      await sleep(delay + Math.random() * delay);
    }
  }
}

/** Options of one recorded operation. */
export interface RunOptions {
  /** Recorded in history: one of HISTORY_OPERATIONS, which the steward page labels. */
  operation: HistoryOperation;
  actor: Actor;
  /** Leases to hold besides those derived from what the change writes (blocking keys, identifiers). */
  leases: string[];
  reason?: string;
}

/**
 * Commit a built change; on a conflict wait or back off and say so ('retry').
 * @returns 'committed', or 'retry' when the change must be recomputed
 */
async function commitOrWait(ctx: RegistryContext, change: Change, deadline: number): Promise<'committed' | 'retry'> {
  try {
    await ctx.store.changes.commit(change);
    return 'committed';
  } catch (err) {
    if (!isMediatorError(err) || err.code !== 'conflict' || !err.details.conflict) throw err;
    const conflict = err.details.conflict as CommitConflict;
    if (conflict.leases.length > 0) await waitForLeases(ctx, conflict.leases, deadline);
    else await sleep(1 + Math.random() * 5);
    return 'retry';
  }
}

/**
 * Commit a built change and, once its check holds, apply and finish it.
 * @param ctx - registry context
 * @param change - the built change
 * @param deadline - how long to wait for other changes' leases (ms since epoch)
 * @returns true when applied; false when it must be recomputed from fresh reads (nothing was left behind)
 */
export async function commitAndApply(ctx: RegistryContext, change: Change, deadline: number): Promise<boolean> {
  if ((await commitOrWait(ctx, change, deadline)) !== 'committed') return false;
  // Inside an atomic unit nothing else writes the staging view: the unit's folded change is checked.
  if (change.check && !ctx.unit && !(await checkHolds(ctx.store, change.check))) {
    // A record appeared under the keys this decision rested on (the same new person, registered
    // concurrently): undo the commit and decide again.
    await ctx.store.changes.abort(change.id);
    return false;
  }
  await applyChange(ctx.store, change);
  return true;
}

/**
 * Run an operation as one recorded change: `stage` stages it on a fresh builder and returns a
 * function computing the result once the change is applied. Recomputed (from fresh reads) when it
 * meets a lease, loses a version race or fails its lookup check.
 * @param ctx - registry context
 * @param opts - operation name, actor, extra leases
 * @param stage - stages the change
 */
export async function runChange<R>(ctx: RegistryContext, opts: RunOptions, stage: (b: ChangeBuilder) => Promise<() => R>): Promise<R> {
  const deadline = Date.now() + ctx.cfg.leaseWaitMs;
  for (let attempt = 0; ; attempt++) {
    const b = new ChangeBuilder(ctx, opts.operation, opts.actor);
    b.lease(...opts.leases);
    const staged = await unlessStale(ctx, () => stage(b));
    if (!staged) {
      giveUpIfLate(ctx, attempt, deadline);
      continue;
    }
    const result = staged.value;
    if (b.empty) return result();
    const change = await b.build();
    if (opts.reason) change.reason = opts.reason;
    if (await commitAndApply(ctx, change, deadline)) return result();
    giveUpIfLate(ctx, attempt, deadline);
  }
}

/**
 * Run an attempt's reads and decisions; null when its lookups read two different committed states
 * (lookup-snapshot.ts) and it must be redone; otherwise its value. Inside an atomic unit the error goes up: the whole unit
 * is redone, its staged steps rest on the same reads.
 * @param ctx - registry context
 * @param attempt - the attempt's staging
 */
export async function unlessStale<T>(ctx: RegistryContext, attempt: () => Promise<T>): Promise<{ value: T } | null> {
  if (ctx.unit) return { value: await attempt() };
  try {
    return { value: await attempt() };
  } catch (err) {
    if (!(err instanceof StaleLookupError)) throw err;
    ctx.logger.debug?.({}, 'lookups of one decision read two committed states; redone');
    await sleep(1 + Math.random() * 5);
    return null;
  }
}

/**
 * After a failed attempt: throw 503 (retryable) once the retries are spent and the wait is over.
 * @param ctx - registry context
 * @param attempt - attempts made so far, minus one
 * @param deadline - the wait deadline (ms since epoch)
 */
export function giveUpIfLate(ctx: RegistryContext, attempt: number, deadline: number): void {
  if (attempt >= ctx.cfg.retries && Date.now() > deadline) {
    throw new MediatorError('unavailable', 'registry busy: could not commit the change, retry later', { retryAfterSeconds: 1 });
  }
}
