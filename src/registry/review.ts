/**
 * Review queue: resolution of possible matches. A task references its source record, not a golden
 * record, so it stays valid whatever relinks or merges happened meanwhile. Resolution is optimistic:
 * the task's version is part of the change's guards, and a resolved task cannot be resolved again,
 * so of two concurrent resolutions exactly one wins and the other gets 409 'conflict'.
 */
import { MediatorError } from '../core/errors';
import type { Actor } from '../core/types';
import type { ReviewTask } from './api';
import type { RegistryContext } from './context';
import type { ChangeBuilder } from './change-builder';
import { runChange } from './change-runner';
import { leaseKey } from './keys';
import { existingSource, writableGolden } from './links';
import { stageMerge } from './merge';
import type { StoredGolden, StoredReview, StoredSource } from './store';
import { publicReview } from './views';

/** A steward's decision on a task. */
export interface ReviewDecision {
  action: 'link' | 'not-a-match' | 'merge';
  mpiId?: string;
  reason?: string;
  expectedVersion?: number;
}

/**
 * Resolve a review task.
 * @param ctx - registry context
 * @param id - task id
 * @param decision - link / not-a-match / merge, target MPI ID and optimistic version
 * @param actor - who
 */
export async function resolveReview(ctx: RegistryContext, id: string, decision: ReviewDecision, actor: Actor): Promise<ReviewTask> {
  const task = await ctx.store.reviews.get(id);
  if (!task) {
    throw new MediatorError('not-found', 'unknown review task');
  }
  if (decision.action !== 'not-a-match' && !decision.mpiId) {
    throw new MediatorError('invalid', `${decision.action} needs an MPI ID`);
  }
  const target = decision.mpiId ? ctx.mpiIds.validate(decision.mpiId) : undefined;
  const src = await ctx.store.records.source(task.sourceKey);
  const leases = [leaseKey.review(id), leaseKey.source(task.sourceKey), ...[target, src?.goldenId].filter((m): m is string => !!m).map(leaseKey.golden)];
  return runChange(ctx, { operation: `review-${decision.action}`, actor, leases, ...(decision.reason ? { reason: decision.reason } : {}) }, async (b) => {
    const current = await ctx.store.reviews.get(id);
    if (!current || current.state !== 'open' || (decision.expectedVersion !== undefined && decision.expectedVersion !== current.version)) {
      throw new MediatorError('conflict', 'review task already resolved or changed', { version: current?.version ?? null });
    }
    const source = await existingSource(b, current.sourceKey);
    const standing = await applyDecision(ctx, b, current, source, decision, target);
    const resolved: StoredReview = {
      ...current,
      state: 'resolved',
      resolution: { action: decision.action, ...(target ? { mpiId: target } : {}), ...(decision.reason ? { reason: decision.reason } : {}), by: actor, at: b.at },
      version: current.version + 1,
      updatedAt: b.at,
    };
    b.addReview(resolved);
    b.reviewEvent('resolved', standing, { id, sourceId: source.id, candidates: current.candidates.map((c) => c.mpiId), resolution: { action: decision.action, ...(target ? { mpiId: target } : {}) } });
    return () => publicReview(resolved);
  });
}

async function applyDecision(ctx: RegistryContext, b: ChangeBuilder, task: StoredReview, source: StoredSource, decision: ReviewDecision, target: string | undefined): Promise<string> {
  switch (decision.action) {
    case 'link': {
      const g = await writableGolden(ctx, b, target as string);
      if (source.goldenId !== g.mpiId) {
        await b.moveSource(source, g.mpiId, 'manual');
        b.patientEvent('linked', g.mpiId);
      }
      return g.mpiId;
    }
    case 'merge': {
      const survivor = await writableGolden(ctx, b, target as string);
      const retired = source.goldenId ? await writableGolden(ctx, b, source.goldenId) : null;
      if (!retired || retired.mpiId === survivor.mpiId) {
        throw new MediatorError('conflict', 'source record is already on that golden record');
      }
      await stageMerge(ctx, b, survivor, retired, decision.reason);
      return survivor.mpiId;
    }
    case 'not-a-match':
      return notAMatch(ctx, b, task, source, target);
  }
}

async function notAMatch(ctx: RegistryContext, b: ChangeBuilder, task: StoredReview, source: StoredSource, target: string | undefined): Promise<string> {
  const ids = target ? [target] : task.candidates.map((c) => c.mpiId);
  for (const mpiId of ids) {
    const g = await b.golden(mpiId);
    const others = (g?.sourceKeys ?? []).filter((k) => k !== source.key);
    b.addNotAMatch(source, { sourceKey: source.key, mpiId, otherSourceKeys: others, at: b.at, by: b.actor });
  }
  // Linked meanwhile to one of the rejected records: give the source its own golden record back.
  if (source.goldenId && ids.includes(source.goldenId)) {
    const golden: StoredGolden = b.createGolden();
    await b.moveSource(source, golden.mpiId, 'manual');
    b.patientEvent('unlinked', golden.mpiId, { mpiId: ids[0] as string });
    return golden.mpiId;
  }
  return source.goldenId ?? ids[0] ?? '';
}
