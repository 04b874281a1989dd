/**
 * The review queue: list, read side by side with per-field weights, resolve. Resolution uses
 * optimistic concurrency: of two reviewers deciding the same task, one wins and the other gets 409.
 */
import type { z } from 'zod';
import { MediatorError, isMediatorError } from '../../core/errors';
import type { ReviewTask, RegistryService } from '../../registry/ports';
import { noteAudit } from '../../audit/context';
import { defineRoute } from '../route-table';
import type { MpiRoute } from '../route-table';
import { resolveReviewBody, reviewDetail, reviewIdParams, reviewList, reviewSummary, reviewsQuery } from '../schemas';
import { demographicsOf, identityOf, round } from '../views';
import { versionFromIfMatch } from './identities';

function summary(t: ReviewTask & { sourceSystem?: string }): z.infer<typeof reviewSummary> {
  return {
    id: t.id, state: t.state, created_at: t.createdAt, version: t.version,
    ...(t.sourceSystem ? { source_system: t.sourceSystem } : {}),
    candidates: t.candidates.map((c) => ({ mpi_id: c.mpiId, score: round(c.score) })),
    ...(t.resolution ? { resolution: { action: t.resolution.action, mpi_id: t.resolution.mpiId, client_id: t.resolution.by.clientId, at: t.resolution.at } } : {}),
  };
}

async function taskOrThrow(registry: RegistryService, id: string): Promise<ReviewTask> {
  const task = await registry.getReview(id);
  if (!task) throw new MediatorError('not-found', 'No review task with this id');
  return task;
}

const list = defineRoute<Record<string, never>, z.infer<typeof reviewsQuery>>({
  method: 'GET', path: '/mpi/reviews', operationId: 'listReviews', tags: ['reviews'], summary: 'Review tasks, filtered by state, age and source system',
  security: { scope: 'mpi/review' }, audit: 'mpi.reviews.list', query: reviewsQuery,
  responses: { 200: { description: 'Tasks', schema: reviewList } },
  async handler({ query, deps }) {
    const olderThan = query.older_than_days === undefined ? undefined : new Date(Date.now() - query.older_than_days * 86_400_000).toISOString();
    const page = await deps.registry.listReviews({ state: query.state, sourceSystem: query.source, olderThan, offset: query.offset, count: query.limit });
    return { body: { total: page.total, items: page.items.map(summary) } };
  },
});

const read = defineRoute<z.infer<typeof reviewIdParams>>({
  method: 'GET', path: '/mpi/reviews/{id}', operationId: 'readReview', tags: ['reviews'],
  summary: 'A task: the source record and each candidate side by side, with per-field weights',
  security: { scope: 'mpi/review' }, audit: 'mpi.reviews.read', params: reviewIdParams,
  responses: { 200: { description: 'The task', schema: reviewDetail }, 404: { description: 'Unknown task' } },
  async handler({ params, request, deps }) {
    const task = await taskOrThrow(deps.registry, params.id);
    const source = await deps.registry.getSource(task.sourceKey);
    const candidates = await Promise.all(task.candidates.map(async (c) => {
      const g = await deps.registry.getGolden(c.mpiId);
      return { mpi_id: c.mpiId, score: round(c.score), weight: round(c.weight), record: g ? identityOf(g.golden) : {}, field_weights: c.explanation };
    }));
    noteAudit(request, { mpiIds: task.candidates.map((c) => c.mpiId), sourceIds: [task.sourceKey] });
    return { headers: { ETag: `W/"${task.version}"` }, body: { ...summary(task), source: source ? demographicsOf(source.patient) : {}, candidates } };
  },
});

const resolve = defineRoute<z.infer<typeof reviewIdParams>, Record<string, never>, z.infer<typeof resolveReviewBody>>({
  method: 'POST', path: '/mpi/reviews/{id}/resolve', operationId: 'resolveReview', tags: ['reviews'],
  summary: 'Decide a task: link, not-a-match (remembered) or merge; 409 when someone else decided first',
  security: { scope: 'mpi/review' }, audit: 'mpi.reviews.resolve', params: reviewIdParams, body: resolveReviewBody,
  responses: { 200: { description: 'The resolved task', schema: reviewSummary }, 409: { description: 'Already resolved or changed since read' } },
  async handler({ params, body, actor, request, deps }) {
    const task = await taskOrThrow(deps.registry, params.id);
    if (task.state === 'resolved') throw new MediatorError('conflict', 'This review task is already resolved');
    if (body.action !== 'not-a-match' && !body.mpi_id) throw new MediatorError('invalid', 'mpi_id is required for link and merge', { errors: [{ path: 'body.mpi_id', code: 'required' }] });
    const expectedVersion = body.version ?? versionFromIfMatch(request.headers['if-match']) ?? task.version;
    noteAudit(request, { mpiIds: [...(body.mpi_id ? [body.mpi_id] : []), ...task.candidates.map((c) => c.mpiId)], sourceIds: [task.sourceKey], detail: { action: body.action } });
    try {
      const done = await deps.registry.resolveReview(params.id, { action: body.action, mpiId: body.mpi_id, reason: body.reason, expectedVersion }, actor);
      return { body: summary(done) };
    } catch (err) {
      if (isMediatorError(err) && err.code === 'precondition-failed') throw new MediatorError('conflict', 'This review task changed or was resolved by someone else');
      throw err;
    }
  },
});

/** Review routes. */
export const reviewRoutes: MpiRoute[] = [list, read, resolve];
