/**
 * The review queue: list (filters, oldest first), counts, read side by side with per-field weights
 * and each candidate's sources, resolve. Resolution uses optimistic concurrency: of two reviewers
 * deciding the same task, one wins and the other gets 409 with the task as it was resolved.
 */
import type { z } from 'zod';
import { MediatorError, isMediatorError } from '../../core/errors';
import type { ReviewTask, RegistryService } from '../../registry/api';
import { bestScore } from '../../registry/review-filter';
import { noteAudit } from '../../audit/context';
import { defineRoute } from '../route-table';
import type { MpiRoute } from '../route-table';
import { countReviews } from '../review-counts';
import { resolveReviewBody, reviewCounts, reviewCountsQuery, reviewDetail, reviewIdParams, reviewList, reviewSummary, reviewsQuery } from '../schemas';
import { demographicsOf, identityOf, round, sourceViewOf, whoOf } from '../views';
import { etag, ifMatchVersion } from '../../http/etag';

/** Sources shown per candidate golden record of a task. */
const SOURCES_PER_CANDIDATE = 20;

function summary(t: ReviewTask): z.infer<typeof reviewSummary> {
  const r = t.resolution;
  return {
    id: t.id, state: t.state, created_at: t.createdAt, version: t.version, best_score: round(bestScore(t)),
    ...(t.sourceSystem ? { source_system: t.sourceSystem } : {}),
    candidates: t.candidates.map((c) => ({ mpi_id: c.mpiId, score: round(c.score) })),
    ...(r ? { resolution: { action: r.action, ...(r.mpiId ? { mpi_id: r.mpiId } : {}), ...(r.reason ? { reason: r.reason } : {}), at: r.at, ...whoOf(r.by) } } : {}),
  };
}

async function taskOrThrow(registry: RegistryService, id: string): Promise<ReviewTask> {
  const task = await registry.getReview(id);
  if (!task) throw new MediatorError('not-found', 'No review task with this id');
  return task;
}

/** 409 carrying the task as it stands, so the loser of a race sees what was decided. */
function alreadyDecided(task: ReviewTask | null): MediatorError {
  return new MediatorError('conflict', 'This review task changed or was resolved by someone else', task ? { problem: { task: summary(task) } } : {});
}

const list = defineRoute<Record<string, never>, z.infer<typeof reviewsQuery>>({
  method: 'GET', path: '/mpi/reviews', operationId: 'listReviews', tags: ['reviews'],
  summary: "Review tasks, oldest first, filtered by state, age, source system and the best candidate's score band",
  security: { scope: 'mpi/review' }, audit: 'mpi.reviews.list', query: reviewsQuery,
  responses: { 200: { description: 'Tasks', schema: reviewList } },
  async handler({ query, deps }) {
    const olderThan = query.older_than_days === undefined ? undefined : new Date(Date.now() - query.older_than_days * 86_400_000).toISOString();
    const page = await deps.registry.listReviews({
      state: query.state, sourceSystem: query.source, olderThan, minScore: query.min_score, maxScore: query.max_score, offset: query.offset, count: query.limit,
    });
    return { body: { total: page.total, items: page.items.map(summary) } };
  },
});

const counts = defineRoute<Record<string, never>, z.infer<typeof reviewCountsQuery>>({
  method: 'GET', path: '/mpi/reviews/counts', operationId: 'countReviews', tags: ['reviews'],
  summary: 'How many tasks there are in a state, by source system, score band and age',
  security: { scope: 'mpi/review' }, audit: 'mpi.reviews.counts', query: reviewCountsQuery,
  responses: { 200: { description: 'Counts', schema: reviewCounts } },
  async handler({ query, deps }) {
    return { body: await countReviews(deps.registry, query.state, new Date()) };
  },
});

const read = defineRoute<z.infer<typeof reviewIdParams>>({
  method: 'GET', path: '/mpi/reviews/{id}', operationId: 'readReview', tags: ['reviews'],
  summary: 'A task: the source record and each candidate side by side, with per-field weights and the candidate\'s sources',
  security: { scope: 'mpi/review' }, audit: 'mpi.reviews.read', params: reviewIdParams,
  responses: { 200: { description: 'The task', schema: reviewDetail }, 404: { description: 'Unknown task' } },
  async handler({ params, request, deps }) {
    const task = await taskOrThrow(deps.registry, params.id);
    const source = await deps.registry.getSource(task.sourceKey);
    const candidates = await Promise.all(task.candidates.map(async (c) => {
      const g = await deps.registry.getGolden(c.mpiId);
      const sources = g ? await deps.registry.getSources(g.golden.sourceKeys.slice(0, SOURCES_PER_CANDIDATE)) : [];
      return {
        mpi_id: c.mpiId, score: round(c.score), weight: round(c.weight), record: g ? identityOf(g.golden, g.redirectedFrom) : {},
        field_weights: c.explanation.map((f) => ({ ...f, weight: round(f.weight) })),
        sources: sources.map(sourceViewOf),
      };
    }));
    noteAudit(request, { mpiIds: task.candidates.map((c) => c.mpiId), sourceIds: [task.sourceKey] });
    return { headers: { ETag: etag(task.version) }, body: { ...summary(task), source: source ? demographicsOf(source.patient) : {}, candidates } };
  },
});

const resolve = defineRoute<z.infer<typeof reviewIdParams>, Record<string, never>, z.infer<typeof resolveReviewBody>>({
  method: 'POST', path: '/mpi/reviews/{id}/resolve', operationId: 'resolveReview', tags: ['reviews'],
  summary: 'Decide a task: link, not-a-match (remembered) or merge; 409 with the task as decided when someone else decided first',
  security: { scope: 'mpi/review' }, audit: 'mpi.reviews.resolve', params: reviewIdParams, body: resolveReviewBody,
  responses: { 200: { description: 'The resolved task', schema: reviewSummary }, 409: { description: 'Already resolved or changed since read; `task` holds the task as it stands' } },
  async handler({ params, body, actor, request, deps }) {
    const task = await taskOrThrow(deps.registry, params.id);
    if (task.state === 'resolved') throw alreadyDecided(task);
    if (body.action !== 'not-a-match' && !body.mpi_id) throw new MediatorError('invalid', 'mpi_id is required for link and merge', { errors: [{ path: 'body.mpi_id', code: 'required' }] });
    const expectedVersion = body.version ?? ifMatchVersion(request.headers['if-match']) ?? task.version;
    noteAudit(request, { mpiIds: [...(body.mpi_id ? [body.mpi_id] : []), ...task.candidates.map((c) => c.mpiId)], sourceIds: [task.sourceKey], detail: { action: body.action } });
    try {
      const done = await deps.registry.resolveReview(params.id, { action: body.action, mpiId: body.mpi_id, reason: body.reason, expectedVersion }, actor);
      return { headers: { ETag: etag(done.version) }, body: summary(done) };
    } catch (err) {
      if (isMediatorError(err) && (err.code === 'precondition-failed' || err.code === 'conflict')) {
        const now = await deps.registry.getReview(params.id);
        if (now && (now.state === 'resolved' || now.version !== expectedVersion)) throw alreadyDecided(now);
      }
      throw err;
    }
  },
});

/** Review routes. */
export const reviewRoutes: MpiRoute[] = [list, counts, read, resolve];
