/**
 * The review queue's counts: how many tasks in a state, by source system, by score band of the best
 * candidate and by age. The bands and ages are defined here once; the steward page reads them from
 * the response, so it never repeats the bounds.
 */
import type { z } from 'zod';
import type { RegistryService, ReviewFilter } from '../registry/api';
import type { reviewCounts } from './schemas';

/** Score bands of a task's best candidate: at least `min`, below `max`. */
export const SCORE_BANDS: ReadonlyArray<{ band: 'high' | 'medium' | 'low'; min?: number; max?: number }> = [
  { band: 'high', min: 0.85 },
  { band: 'medium', min: 0.7, max: 0.85 },
  { band: 'low', max: 0.7 },
];

/** Age thresholds (days) the counts report. */
export const AGE_THRESHOLDS_DAYS: readonly number[] = [1, 7, 30];

type Counts = z.infer<typeof reviewCounts>;

/**
 * Count the tasks of a state in every facet the queue filters on.
 * @param registry - the registry service
 * @param state - open or resolved
 * @param now - the instant ages are measured from
 */
export async function countReviews(registry: RegistryService, state: 'open' | 'resolved', now: Date): Promise<Counts> {
  const count = async (f: Omit<ReviewFilter, 'offset' | 'count' | 'state'>): Promise<number> =>
    (await registry.listReviews({ ...f, state, offset: 0, count: 1 })).total;
  const systems = await registry.reviewSourceSystems(state);
  const [total, bySystem, byBand, byAge] = await Promise.all([
    count({}),
    Promise.all(systems.map(async (source_system) => ({ source_system, count: await count({ sourceSystem: source_system }) }))),
    Promise.all(SCORE_BANDS.map(async (b) => ({
      band: b.band, ...(b.min !== undefined ? { min_score: b.min } : {}), ...(b.max !== undefined ? { max_score: b.max } : {}),
      count: await count({ minScore: b.min, maxScore: b.max }),
    }))),
    Promise.all(AGE_THRESHOLDS_DAYS.map(async (days) => ({
      older_than_days: days, count: await count({ olderThan: new Date(now.getTime() - days * 86_400_000).toISOString() }),
    }))),
  ]);
  return { state, total, by_source_system: bySystem.filter((s) => s.count > 0), by_score_band: byBand, by_age: byAge };
}
