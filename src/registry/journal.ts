/**
 * Commit, apply and recover journal changes (design in store.ts): a change is committed by ONE
 * insert into the journal (with its outbox events), then applied op by op with idempotent writes,
 * then marked applied. `recoverPending` re-applies whatever a crash left between commit and mark.
 */
import { randomUUID } from 'node:crypto';
import { isMediatorError } from '../core/errors';
import type { Actor } from '../core/types';
import { withClaims } from './claims';
import { ChangeBuilder } from './change-builder';
import type { RegistryContext } from './context';
import type { BlockingEdit, Change, ChangeOp, RegistryStore } from './store';

async function applyOp(store: RegistryStore, op: ChangeOp): Promise<void> {
  switch (op.op) {
    case 'source':
      return store.sources.put(op.doc);
    case 'golden':
      return store.goldens.put(op.doc);
    case 'xref.put':
      return store.xref.put(op.entry);
    case 'xref.del':
      return store.xref.remove(op.entry);
    case 'block.add':
      return store.blocking.add(op.entry);
    case 'block.del':
      return store.blocking.remove(op.entry);
    case 'history':
      return store.history.append(op.entry);
    case 'review':
      return store.reviews.put(op.doc);
    case 'notAMatch':
      return store.constraints.put(op.doc);
    case 'merge':
      return store.merges.put(op.doc);
  }
}

/**
 * Apply a committed change (idempotent: safe to run twice) and mark it applied.
 * @param store - the registry store
 * @param change - a committed change
 */
export async function applyChange(store: RegistryStore, change: Change): Promise<void> {
  // Runs of blocking-index edits (a registration files a record under ~18 keys) go as one batch.
  let edits: BlockingEdit[] = [];
  for (const op of change.ops) {
    if (op.op === 'block.add' || op.op === 'block.del') {
      edits.push(op);
      continue;
    }
    await applyBlockingEdits(store, edits);
    edits = [];
    await applyOp(store, op);
  }
  await applyBlockingEdits(store, edits);
  await store.journal.markApplied(change.id);
}

async function applyBlockingEdits(store: RegistryStore, edits: BlockingEdit[]): Promise<void> {
  if (edits.length === 0) return;
  if (store.blocking.applyEdits) {
    await store.blocking.applyEdits(edits);
    return;
  }
  for (const op of edits) await applyOp(store, op);
}

async function anyDocumentVisible(store: RegistryStore, change: Change): Promise<boolean> {
  for (const op of change.ops) {
    if (op.op === 'source' || op.op === 'golden') {
      const stored = op.op === 'source' ? await store.sources.get(op.doc.key) : await store.goldens.get(op.doc.mpiId);
      if (stored && stored.version >= op.doc.version) {
        return true;
      }
    }
  }
  return false;
}

/**
 * Finish a change interrupted by a crash. Record documents are its last ops, so if one of them is
 * visible every other op already ran; re-running those could undo a later change's xref or index
 * writes, so only the remaining documents (put-if-newer) are written.
 * @param store - the registry store
 * @param change - a committed, unapplied change
 */
export async function resumeChange(store: RegistryStore, change: Change): Promise<void> {
  if (await anyDocumentVisible(store, change)) {
    for (const op of change.ops.filter((o) => o.op === 'source' || o.op === 'golden')) {
      await applyOp(store, op);
    }
    await store.journal.markApplied(change.id);
    return;
  }
  await applyChange(store, change);
}

/**
 * Re-apply committed but unapplied changes (after a crash), oldest first.
 * @param store - the registry store
 * @param opts - batch size and minimum age, so changes being applied right now are left alone
 * @returns how many changes were applied
 */
export async function recoverPending(store: RegistryStore, opts: { limit?: number; olderThan?: Date } = {}): Promise<number> {
  let n = 0;
  for (const change of await store.journal.unapplied(opts.limit ?? 1000)) {
    if (opts.olderThan && change.at > opts.olderThan.toISOString()) {
      continue;
    }
    await resumeChange(store, change);
    n += 1;
  }
  // Also move out finished changes a crash left in the journal (or an older journal's backlog).
  await store.journal.retireFinished(opts.limit ?? 1000);
  return n;
}

/** Options of one recorded operation. */
export interface RunOptions {
  operation: string;
  actor: Actor;
  /** Claim keys to hold (blocking keys, identifiers, MPI IDs, source keys). */
  locks: string[];
  reason?: string;
}

/**
 * Run an operation as one recorded change under claims, retrying when it loses an optimistic race.
 * `stage` stages the change on a fresh builder and returns a function computing the result once the
 * change is committed and applied (staged documents are final by then).
 * @param ctx - registry context
 * @param opts - operation name, actor, claim keys
 * @param stage - stages the change
 */
export async function runChange<R>(ctx: RegistryContext, opts: RunOptions, stage: (b: ChangeBuilder) => Promise<() => R>): Promise<R> {
  const owner = `${ctx.cfg.instance}:${randomUUID()}`;
  return withClaims(ctx.store.claims, opts.locks, owner, ctx.clock, ctx.cfg.claims, async () => {
    for (let attempt = 0; ; attempt++) {
      const b = new ChangeBuilder(ctx, opts.operation, opts.actor);
      const result = await stage(b);
      if (b.empty) {
        return result();
      }
      const change = await b.build();
      if (opts.reason) {
        change.reason = opts.reason;
      }
      try {
        await applyChange(ctx.store, await ctx.store.journal.append(change));
        return result();
      } catch (err) {
        if (!isMediatorError(err) || err.code !== 'conflict' || attempt >= ctx.cfg.retries || !err.details.guards) {
          throw err;
        }
        // Lost a race on a record version: let any committed-but-unapplied change land, then redo.
        // Only changes older than the grace period: younger ones are being applied by their writer.
        await recoverPending(ctx.store, { limit: 100, olderThan: new Date(ctx.clock.now().getTime() - ctx.cfg.recoveryGraceMs) });
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 15 * (attempt + 1)));
      }
    }
  });
}
