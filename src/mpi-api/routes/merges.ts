/**
 * `POST /mpi/merge` and `POST /mpi/unmerge`: manual, recorded, reversible, each with a reason.
 */
import { noteAudit } from '../../audit/context';
import { defineRoute } from '../route-table';
import type { MpiRoute } from '../route-table';
import { identity, mergeBody, unmergeBody } from '../schemas';
import { identityOf } from '../views';
import { z } from 'zod';

const merge = defineRoute<Record<string, never>, Record<string, never>, z.infer<typeof mergeBody>>({
  method: 'POST', path: '/mpi/merge', operationId: 'mergeIdentities', tags: ['merges'],
  summary: 'Merge the retired identity into the survivor (the retired MPI ID keeps resolving to the survivor)',
  security: { scope: 'mpi/review' }, audit: 'mpi.merge', body: mergeBody,
  responses: { 200: { description: 'The survivor', schema: identity }, 409: { description: 'Not mergeable (already merged, same record…)' } },
  async handler({ body, actor, request, deps }) {
    noteAudit(request, { mpiIds: [body.survivor_mpi_id, body.retired_mpi_id] });
    const survivor = await deps.registry.merge(body.survivor_mpi_id, body.retired_mpi_id, actor, body.reason);
    return { body: identityOf(survivor) };
  },
});

const unmergeResponse = z.object({ survivor: identity, restored: identity }).meta({ id: 'UnmergeResponse' });

const unmerge = defineRoute<Record<string, never>, Record<string, never>, z.infer<typeof unmergeBody>>({
  method: 'POST', path: '/mpi/unmerge', operationId: 'unmergeIdentity', tags: ['merges'],
  summary: 'Undo a merge: the retired identity is restored with its own sources',
  security: { scope: 'mpi/review' }, audit: 'mpi.unmerge', body: unmergeBody,
  responses: { 200: { description: 'Both identities after the unmerge', schema: unmergeResponse } },
  async handler({ body, actor, request, deps }) {
    noteAudit(request, { mpiIds: [body.mpi_id] });
    const { survivor, restored } = await deps.registry.unmerge(body.mpi_id, actor, body.reason);
    noteAudit(request, { mpiIds: [survivor.mpiId] });
    return { body: { survivor: identityOf(survivor), restored: identityOf(restored) } };
  },
});

/** Merge and unmerge routes. */
export const mergeRoutes: MpiRoute[] = [merge, unmerge];
