/**
 * The sync API, in the MPI API's route table (same auth, problem+json errors and OpenAPI document):
 * channel status, the dead-letter list with re-drives, runs on demand (what an OpenHIM polling
 * channel calls), and pushes of native payloads (what an OpenHIM channel routes to). Every route
 * needs the `mpi/sync` scope.
 */
import type { Request } from '@hapi/hapi';
import { z } from 'zod';
import { noteAudit } from '../../audit/context';
import { MediatorError } from '../../core/errors';
import type { OrchestrationSink } from '../../core/orchestration';
import { touchedBy } from '../../sync/ingest';
import type { SyncRun } from '../../sync/ports';
import type { TouchedIds } from '../../sync/touched';
import type { ChannelManager } from '../../sync/manager';
import { CHANNEL_NAMES } from '../../sync/ports';
import { defineRoute } from '../route-table';
import type { MpiRoute } from '../route-table';
import { failureDetail, failureList, failureQuery, pushResult, redriveBody, redriveResults, runQuery, runResult, statusResponse } from './sync-schemas';
import { describeFailure, describePush, describeRedrives, describeRun, describeStatus } from './sync-views';

const channelParam = z.strictObject({ channel: z.enum(CHANNEL_NAMES) });
const failureParam = z.strictObject({ id: z.string().regex(/^[a-f0-9]{24}$/) });
const pushParams = z.strictObject({ channel: z.enum([...CHANNEL_NAMES, 'csv']), resource: z.string().regex(/^[A-Za-z]{1,40}$/) });

/** Orchestrations of a request's upstream calls go to its OpenHIM envelope. */
function requestSink(request: Request): OrchestrationSink {
  return (o) => request.app.caller.orchestrations.push(o);
}

/**
 * Routes that take no body accept an empty one of any type (an OpenHIM polling channel, `curl -X POST
 * -d ''`), `{}` and `null`; anything else is refused, so that an option sent in the body is not
 * silently ignored.
 */
const NO_BODY = { parse: false, output: 'data', maxBytes: 1024, failAction: 'error' } as const;

function refuseBody(request: Request, hint: string): void {
  const raw = Buffer.isBuffer(request.payload) ? request.payload.toString('utf8').trim() : '';
  if (raw === '' || raw === '{}' || raw === 'null') return;
  throw new MediatorError('invalid', `${request.method.toUpperCase()} ${request.route.path} takes no body; ${hint}`);
}

/**
 * The audit note of a sync request: the identities it touched (bounded) and what it did.
 * @param request - the request
 * @param touched - MPI IDs and source ids, and whether some were left out
 * @param detail - counts and ids of the run (no personal data)
 */
function noteTouched(request: Request, touched: TouchedIds & { truncated?: boolean }, detail: Record<string, string | number | boolean>): void {
  noteAudit(request, { mpiIds: touched.mpiIds, sourceIds: touched.sourceIds, detail: { ...detail, ...(touched.truncated ? { idsTruncated: true } : {}) } });
}

function runDetail(run: SyncRun): Record<string, string | number | boolean> {
  const { received, created, updated, linked, review, deactivated, failed, writtenBack } = run.counts;
  return { runId: run.id, channel: run.channel, status: run.status, received, created, updated, linked, review, deactivated, failed, writtenBack };
}

/**
 * The sync routes over a channel manager.
 * @param manager - the channel manager
 * @param bodyLimitBytes - largest push accepted (BODY_LIMIT_BYTES)
 */
export function syncRoutes(manager: ChannelManager, bodyLimitBytes: number): MpiRoute[] {
  const status = defineRoute({
    method: 'GET', path: '/sync/status', operationId: 'syncStatus', tags: ['sync'], security: { scope: 'mpi/sync' }, audit: 'sync.status',
    summary: 'Each channel: last run with its counts, progress of a run in progress, cursors, lag and open failures',
    responses: { 200: { description: 'Channels', schema: statusResponse } },
    async handler() {
      return { body: { channels: (await manager.status()).map(describeStatus) } };
    },
  });
  const failures = defineRoute<Record<string, never>, z.infer<typeof failureQuery>>({
    method: 'GET', path: '/sync/failures', operationId: 'listSyncFailures', tags: ['sync'], security: { scope: 'mpi/sync' }, audit: 'sync.failures.list',
    summary: 'Dead letters: records that could not be taken in (or written back), newest first, without their payloads', query: failureQuery,
    responses: { 200: { description: 'Failures', schema: failureList } },
    async handler({ query }) {
      const page = await manager.failures({ channel: query.channel, resourceType: query.resource_type, resourceId: query.resource_id, status: query.status, offset: query.offset, limit: query.limit });
      return { body: { total: page.total, limit: query.limit, offset: query.offset, items: page.items.map((d) => describeFailure(d, false)) } };
    },
  });
  const failure = defineRoute<z.infer<typeof failureParam>>({
    method: 'GET', path: '/sync/failures/{id}', operationId: 'readSyncFailure', tags: ['sync'], security: { scope: 'mpi/sync' }, audit: 'sync.failures.read', params: failureParam,
    summary: 'One dead letter with its payload as received', responses: { 200: { description: 'The failure', schema: failureDetail }, 404: { description: 'No such failure' } },
    async handler({ params, request }) {
      const d = await manager.failure(params.id);
      noteAudit(request, { sourceIds: [d.key], detail: { failureId: d.id, channel: d.channel } });
      return { body: describeFailure(d, true) };
    },
  });
  const retryOne = defineRoute<z.infer<typeof failureParam>>({
    method: 'POST', path: '/sync/failures/{id}/retry', operationId: 'retrySyncFailure', tags: ['sync'], security: { scope: 'mpi/sync' }, audit: 'sync.failures.retry', params: failureParam,
    summary: 'Re-drive one dead letter through the current mapping (or write-back); takes no body', payload: NO_BODY,
    responses: { 200: { description: 'What happened', schema: redriveResults }, 400: { description: 'A body was sent' }, 404: { description: 'No such failure' } },
    async handler({ params, actor, request }) {
      refuseBody(request, 'the failure is named in the path');
      const results = await manager.redrive(params.id, actor, requestSink(request));
      noteAudit(request, { sourceIds: results.flatMap((r) => (r.sourceId ? [r.sourceId] : [])), mpiIds: results.flatMap((r) => (r.mpiId ? [r.mpiId] : [])) });
      return { body: describeRedrives(results) };
    },
  });
  const retryMany = defineRoute<Record<string, never>, Record<string, never>, z.infer<typeof redriveBody>>({
    method: 'POST', path: '/sync/failures/retry', operationId: 'retrySyncFailures', tags: ['sync'], security: { scope: 'mpi/sync' }, audit: 'sync.failures.retry-many', body: redriveBody,
    summary: 'Re-drive the open dead letters of a channel, resource type or record (at most `limit`)', responses: { 200: { description: 'What happened to each', schema: redriveResults } },
    async handler({ body, actor, request }) {
      const results = await manager.redrive({ channel: body.channel, resourceType: body.resource_type, resourceId: body.resource_id, limit: body.limit }, actor, requestSink(request));
      noteAudit(request, { sourceIds: results.flatMap((r) => (r.sourceId ? [r.sourceId] : [])), mpiIds: results.flatMap((r) => (r.mpiId ? [r.mpiId] : [])) });
      return { body: describeRedrives(results) };
    },
  });
  const run = defineRoute<z.infer<typeof channelParam>, z.infer<typeof runQuery>>({
    method: 'POST', path: '/sync/{channel}/run', operationId: 'runSync', tags: ['sync'], security: { scope: 'mpi/sync' }, audit: 'sync.run', params: channelParam, query: runQuery,
    summary: 'Run a channel now (an OpenHIM polling channel calls this); joins a run already in progress; takes no body', payload: NO_BODY,
    responses: { 200: { description: 'The finished run', schema: runResult }, 202: { description: 'Started (wait=false)', schema: runResult }, 400: { description: 'A body was sent' }, 409: { description: 'The channel is not enabled' } },
    async handler({ params, query, actor, request }) {
      refuseBody(request, 'its only option is the query parameter wait');
      const started = manager.run(params.channel, { trigger: 'api', actor, sink: requestSink(request) });
      if (!query.wait) {
        noteAudit(request, { detail: { runId: started.runId, channel: params.channel, joined: started.joined } });
        return { status: 202, body: { run_id: started.runId, joined: started.joined, status: 'running' } };
      }
      const run = await started.done;
      noteTouched(request, started.touched(), { ...runDetail(run), joined: started.joined });
      return { body: describeRun(run, started.joined) };
    },
  });
  const push = defineRoute<z.infer<typeof pushParams>, Record<string, never>, unknown>({
    method: 'POST', path: '/channels/{channel}/{resource}', operationId: 'pushToChannel', tags: ['channels'], security: { scope: 'mpi/sync' }, audit: 'channels.push', params: pushParams,
    summary: 'Push a native payload (one record, a page or a bundle; CSV rows for csv/rows): same mapping and ingest path as polling',
    body: z.unknown().meta({ description: 'DHIS2 tracked entities, OpenMRS or national registry Patients, iHRIS Practitioners/PractitionerRoles (JSON), or text/csv rows' }),
    payload: { parse: false, output: 'data', maxBytes: bodyLimitBytes, failAction: 'error' },
    responses: { 200: { description: 'Taken in (per-record outcomes)', schema: pushResult }, 415: { description: 'Not JSON (or CSV for csv/rows): recorded as a dead letter' }, 422: { description: 'No record could be taken in', schema: pushResult } },
    async handler({ params, actor, request }) {
      const type = request.headers['content-type'];
      const raw = { contentType: typeof type === 'string' ? type : undefined, bytes: Buffer.isBuffer(request.payload) ? request.payload : Buffer.alloc(0) };
      const outcome = await manager.push(params.channel, params.resource, raw, actor, requestSink(request));
      noteTouched(request, touchedBy(outcome.outcomes), { channel: params.channel, received: outcome.counts.received, failed: outcome.counts.failed });
      return { status: outcome.counts.failed > 0 && outcome.counts.failed === outcome.counts.received ? 422 : 200, body: describePush(outcome) };
    },
  });
  return [status, failures, failure, retryOne, retryMany, run, push];
}

