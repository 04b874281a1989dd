/**
 * Opening review tasks: a possible match a data steward decides. A task refers to the source record
 * it is about and names the candidate golden records with their scores and per-field explanations.
 */
import type { RegistryContext } from './context';
import type { ChangeBuilder } from './change-builder';
import type { ScoredGolden } from './candidates';
import type { StoredReview, StoredSource } from './store';

/**
 * Stage a review task about a source record and its `review.opened` event.
 * @param ctx - registry context
 * @param b - change builder
 * @param src - the source record
 * @param candidates - candidate golden records
 * @param mpiId - the source's own golden record (event key)
 */
export function openReview(ctx: RegistryContext, b: ChangeBuilder, src: StoredSource, candidates: ScoredGolden[], mpiId: string): StoredReview {
  const task: StoredReview = {
    id: ctx.newId(),
    sourceKey: src.key,
    sourceSystem: src.sourceSystem,
    candidates: candidates.map((c) => ({ mpiId: c.mpiId, score: c.result.probability, weight: c.result.weight, explanation: c.result.fields })),
    state: 'open',
    version: 1,
    createdAt: b.at,
    updatedAt: b.at,
  };
  b.addReview(task);
  b.reviewEvent('opened', mpiId, { taskId: task.id, candidates: task.candidates.map((c) => c.mpiId) });
  return task;
}

/**
 * After re-evaluation of an updated source: open a review task when other golden records are
 * possible matches, unless an open task about this source already names all of them.
 * @returns the opened task, or null
 */
export async function reviewOnUpdate(ctx: RegistryContext, b: ChangeBuilder, src: StoredSource, candidates: ScoredGolden[], mpiId: string): Promise<StoredReview | null> {
  const others = candidates.filter((c) => c.mpiId !== mpiId);
  if (others.length === 0) return null;
  const open = (await ctx.store.reviews.bySource(src.key)).filter((r) => r.state === 'open');
  if (open.some((r) => others.every((c) => r.candidates.some((k) => k.mpiId === c.mpiId)))) return null;
  return openReview(ctx, b, src, others, mpiId);
}
