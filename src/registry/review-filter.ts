/**
 * The review-queue filter as a predicate, for the stores that filter in memory (the memory twin and
 * the staging overlay). The MongoDB adapter translates the same filter into a query.
 */
import type { ReviewFilter, ReviewTask } from './api';

/**
 * The best (highest) candidate score of a task; 0 for a task without candidates.
 * @param task - the review task
 */
export function bestScore(task: Pick<ReviewTask, 'candidates'>): number {
  return task.candidates.reduce((best, c) => Math.max(best, c.score), 0);
}

/**
 * True when a task passes every condition of the filter.
 * @param task - a stored review task
 * @param f - the filter
 */
export function reviewMatches(task: ReviewTask, f: Omit<ReviewFilter, 'offset' | 'count'>): boolean {
  if (f.state && task.state !== f.state) return false;
  if (f.sourceSystem && task.sourceSystem !== f.sourceSystem) return false;
  if (f.olderThan && !(task.createdAt < f.olderThan)) return false;
  if (f.minScore === undefined && f.maxScore === undefined) return true;
  const best = bestScore(task);
  return (f.minScore === undefined || best >= f.minScore) && (f.maxScore === undefined || best < f.maxScore);
}

/**
 * Queue order: oldest first, then by id.
 * @param a - a task
 * @param b - another task
 */
export function reviewOrder(a: ReviewTask, b: ReviewTask): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1;
}
