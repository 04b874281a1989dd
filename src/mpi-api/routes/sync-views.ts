/**
 * The sync API's views: domain objects of src/sync in the API's snake_case shapes.
 */
import type { z } from 'zod';
import type { PageOutcome } from '../../sync/ingest';
import type { ChannelStatus } from '../../sync/manager';
import type { DeadLetter, SyncCounts, SyncRun } from '../../sync/ports';
import type { RedriveResult } from '../../sync/redrive';
import type { channelStatus, failureDetail, pushResult, redriveResults, runResult } from './sync-schemas';

function describeCounts(c: SyncCounts): z.infer<typeof runResult>['counts'] {
  const { writtenBack, ...rest } = c;
  return { ...rest, written_back: writtenBack };
}

/**
 * A run.
 * @param r - the run
 * @param joined - the caller joined a run already in progress
 */
export function describeRun(r: SyncRun, joined?: boolean): z.infer<typeof runResult> {
  return {
    run_id: r.id, ...(joined !== undefined ? { joined } : {}), status: r.status, trigger: r.trigger, started_at: r.startedAt, finished_at: r.finishedAt,
    pages: r.pages, counts: describeCounts(r.counts), expected: r.expected, error: r.error, caught_up: r.caughtUp,
  };
}

/**
 * A channel's status.
 * @param s - the status
 */
export function describeStatus(s: ChannelStatus): z.infer<typeof channelStatus> {
  return {
    channel: s.channel, enabled: s.enabled, running: s.running,
    ...(s.progress ? { progress: { scope: s.progress.scope, records: s.progress.records, expected: s.progress.expected, rate_per_second: Math.round(s.progress.ratePerSecond * 10) / 10, eta_seconds: s.progress.etaSeconds === undefined ? undefined : Math.round(s.progress.etaSeconds) } } : {}),
    last_run: s.lastRun ? describeRun(s.lastRun) : null, last_caught_up_at: s.lastCaughtUpAt, lag_seconds: s.lagSeconds, next_run_at: s.nextRunAt,
    cursors: s.cursors.map((c) => ({ scope: c.scope, position: c.position, updated_at: c.updatedAt })), open_failures: s.openFailures,
  };
}

/**
 * A dead letter; its payload only when asked for (it holds personal data).
 * @param d - the entry
 * @param withPayload - include the payload
 */
export function describeFailure(d: DeadLetter, withPayload: boolean): z.infer<typeof failureDetail> {
  return {
    id: d.id, channel: d.channel, stage: d.stage, resource_type: d.resourceType, resource_id: d.resourceId, key: d.key, mapping: d.mapping, reason: d.reason,
    issues: d.issues, status: d.status, occurrences: d.occurrences, retries: d.retries, first_seen_at: d.firstSeenAt, last_seen_at: d.lastSeenAt,
    resolved_at: d.resolvedAt, ...(withPayload ? { payload: d.payload } : {}),
  };
}

/**
 * What a push did.
 * @param o - the page outcome
 */
export function describePush(o: PageOutcome): z.infer<typeof pushResult> {
  return {
    counts: describeCounts(o.counts) as z.infer<typeof pushResult>['counts'],
    outcomes: o.outcomes.map((x) => ({ resource_type: x.record.resourceType, resource_id: x.record.resourceId, status: x.status, mpi_id: x.mpiId, failure_id: x.failureId })),
  };
}

/**
 * What re-drives did.
 * @param results - one per dead letter
 */
export function describeRedrives(results: RedriveResult[]): z.infer<typeof redriveResults> {
  return { results: results.map((r) => ({ id: r.id, status: r.status, reason: r.reason, source_id: r.sourceId, mpi_id: r.mpiId })) };
}
