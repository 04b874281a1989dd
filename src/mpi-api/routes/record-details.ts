/**
 * What a steward reads beside a golden record: the source records linked to it, and the merges in
 * force into it (each one can be undone with `POST /mpi/unmerge`).
 */
import type { z } from 'zod';
import { MediatorError } from '../../core/errors';
import { noteAudit } from '../../audit/context';
import { defineRoute } from '../route-table';
import type { MpiRoute } from '../route-table';
import { mergesResponse, mpiIdParams, sourcesResponse } from '../schemas';
import { sourceViewOf, whoOf } from '../views';

/** Sources listed for one golden record (a person linked from more systems than this is an anomaly to investigate). */
const MAX_SOURCES = 200;

const sources = defineRoute<z.infer<typeof mpiIdParams>>({
  method: 'GET', path: '/mpi/{mpi_id}/sources', operationId: 'identitySources', tags: ['identities'],
  summary: 'The source records linked to a golden record (a merged MPI ID answers for its survivor)',
  security: { scope: 'system/Patient.read' }, audit: 'mpi.sources', params: mpiIdParams,
  responses: { 200: { description: 'Linked source records', schema: sourcesResponse }, 404: { description: 'Unknown MPI ID' } },
  async handler({ params, request, deps }) {
    const found = await deps.registry.getGolden(params.mpi_id);
    if (!found) throw new MediatorError('not-found', 'No identity with this MPI ID');
    const keys = found.golden.sourceKeys;
    const records = await deps.registry.getSources(keys.slice(0, MAX_SOURCES));
    noteAudit(request, { mpiIds: [params.mpi_id, found.golden.mpiId], sourceIds: keys.slice(0, MAX_SOURCES) });
    return { body: { total: keys.length, items: records.map(sourceViewOf) } };
  },
});

const merges = defineRoute<z.infer<typeof mpiIdParams>>({
  method: 'GET', path: '/mpi/{mpi_id}/merges', operationId: 'identityMerges', tags: ['merges'],
  summary: 'The merges in force into a golden record, newest first: which MPI IDs were retired into it, by whom, when and why',
  security: { scope: 'system/Patient.read' }, audit: 'mpi.merges', params: mpiIdParams,
  responses: { 200: { description: 'Merges in force', schema: mergesResponse } },
  async handler({ params, request, deps }) {
    const items = await deps.registry.mergesInto(params.mpi_id);
    noteAudit(request, { mpiIds: [params.mpi_id, ...items.map((m) => m.retiredId)] });
    return { body: { items: items.map((m) => ({ retired_mpi_id: m.retiredId, at: m.at, ...(m.reason ? { reason: m.reason } : {}), ...whoOf(m.by) })) } };
  },
});

/** Source-record and merge listings of a golden record. */
export const recordDetailRoutes: MpiRoute[] = [sources, merges];
