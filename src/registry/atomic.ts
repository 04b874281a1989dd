/**
 * All-or-nothing units of work over several identity operations (a FHIR transaction Bundle).
 *
 * FerretDB has no multi-document transactions, but the journal already makes ONE document the
 * commit point of a change. A unit runs the ordinary registry operations against a staging view
 * (staging/overlay.ts); when every step succeeded, their changes are folded into one journal change
 * — all their ops, guards and events — and committed and applied like any other. If a step fails,
 * or the folded change loses an optimistic race, nothing was written: the staged state is dropped.
 */
import { randomUUID } from 'node:crypto';
import { isMediatorError, MediatorError } from '../core/errors';
import type { Actor } from '../core/types';
import type { RegistryContext } from './context';
import { applyChange } from './journal';
import type { Change, ChangeOp } from './store';
import { createStagingStore } from './staging/overlay';

function docKey(op: ChangeOp): string | null {
  if (op.op === 'source') return `s|${op.doc.key}`;
  if (op.op === 'golden') return `g|${op.doc.mpiId}`;
  return null;
}

/**
 * Fold staged changes into one. Index, history and other ops keep their order; record documents
 * come last, one per record at its final version — the layout recovery relies on (journal.ts).
 * @param changes - the staged changes, in order
 * @param ctx - registry context (ids, clock)
 * @param actor - who performs the unit
 */
export function foldChanges(changes: Change[], ctx: RegistryContext, actor: Actor): Change {
  const ops: ChangeOp[] = [];
  const docs = new Map<string, ChangeOp>();
  for (const op of changes.flatMap((c) => c.ops)) {
    const key = docKey(op);
    if (key === null) ops.push(op);
    else docs.set(key, op);
  }
  const events = changes.flatMap((c) => c.events);
  return {
    id: ctx.newId(),
    at: ctx.clock.now().toISOString(),
    operation: 'transaction',
    actor,
    // The steps, with the reasons given for manual ones (merge, link...).
    reason: changes.map((c) => (c.reason ? `${c.operation} (${c.reason})` : c.operation)).join(', '),
    guards: changes.flatMap((c) => c.guards),
    ops: [...ops, ...docs.values()],
    events,
    applied: false,
    unpublished: events.map((e) => e.id),
  };
}

/**
 * Run `work` as one unit: it gets a registry context over a staging view; its changes commit as
 * one journal change when it returns, and are dropped when it throws.
 * @param ctx - the registry context over the committed store
 * @param actor - who performs the unit (journal, history)
 * @param work - the unit's steps, given the staged context
 */
export async function runAtomically<T>(ctx: RegistryContext, actor: Actor, work: (staged: RegistryContext) => Promise<T>): Promise<T> {
  if (ctx.unit) return work(ctx);
  for (let attempt = 0; ; attempt++) {
    try {
      return await attemptUnit(ctx, actor, work);
    } catch (err) {
      // Lost an optimistic race at commit (a lease expired under a slow unit): nothing was written, redo.
      if (!isMediatorError(err) || err.code !== 'conflict' || !err.details.unit || attempt >= ctx.cfg.retries) throw err;
    }
  }
}

async function attemptUnit<T>(ctx: RegistryContext, actor: Actor, work: (staged: RegistryContext) => Promise<T>): Promise<T> {
  const staging = createStagingStore(ctx.store, `${ctx.cfg.instance}:unit:${randomUUID()}`);
  try {
    const result = await work({ ...ctx, store: staging.store, unit: true });
    const changes = staging.changes();
    if (changes.length > 0) {
      const folded = foldChanges(changes, ctx, actor);
      if (Buffer.byteLength(JSON.stringify(folded)) > ctx.cfg.maxUnitBytes) {
        throw new MediatorError('too-large', 'The transaction changes too many records to commit as one unit; split it, or send a batch');
      }
      await applyChange(ctx.store, await commit(ctx, folded));
    }
    return result;
  } finally {
    await staging.releaseClaims();
  }
}

async function commit(ctx: RegistryContext, folded: Change): Promise<Change> {
  try {
    return await ctx.store.journal.append(folded);
  } catch (err) {
    if (isMediatorError(err) && err.code === 'conflict') throw new MediatorError('conflict', err.message, { ...err.details, unit: true });
    throw err;
  }
}
