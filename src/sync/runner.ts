/**
 * One run of one channel: every scope from its stored cursor to the end of what the source has, one
 * page at a time. The cursor of a scope is written only after its page is stored, so a run that
 * stops anywhere (an upstream error, a crash, a shutdown) resumes from the last stored page and
 * loses nothing; the page it was on is taken in again, which changes nothing for records already
 * stored. A failed page becomes a dead letter (stage `receive`) naming the upstream error, and the
 * run ends; the next run tries again. Progress goes to the logs and to the caller.
 */
import type { ChannelName } from '../channels/ports';
import { UpstreamError } from '../channels/upstream-error';
import { MediatorError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { OrchestrationSink } from '../core/orchestration';
import type { Actor } from '../core/types';
import type { ChannelStateStore, DeadLetterStore, SyncCounts, SyncRun, SyncRunStore } from './ports';
import { addCounts, zeroCounts } from './ports';
import type { TouchedIds } from './touched';

/** What a step may use. */
export interface StepContext {
  sink: OrchestrationSink;
  /** Ask the source how many records it holds (first page of a scope in a run). */
  wantTotal: boolean;
  actor: Actor;
  /** Run registry work under the sync's concurrency limit (upstream waits stay outside it). */
  gate: <T>(work: () => Promise<T>) => Promise<T>;
}

/** What one step did. */
export interface StepResult {
  position: unknown;
  more: boolean;
  total?: number;
  counts: SyncCounts;
  /** The identities the step touched (audit trail, OpenHIM properties). */
  touched?: TouchedIds;
}

/** A channel's work, one page at a time (inbound: pull and take in; outbound: send). */
export interface ChannelJob {
  readonly channel: ChannelName;
  scopes(): string[];
  /**
   * Do one page from `position`.
   * @param scope - one of `scopes()`
   * @param position - the scope's stored cursor (null: from the beginning)
   * @param run - sink, actor, gate
   */
  step(scope: string, position: unknown, run: StepContext): Promise<StepResult>;
}

/** A run's progress, for logs, `/sync/status` and the command line's progress bar. */
export interface RunProgress {
  run: SyncRun;
  scope: string;
  /** Records handled so far in this run. */
  records: number;
  expected?: number;
  ratePerSecond: number;
  /** Time left at the current rate, when the source said how many to expect. */
  etaSeconds?: number;
}

/** What runs use. */
export interface RunnerDeps {
  state: ChannelStateStore;
  runs: SyncRunStore;
  deadLetters: DeadLetterStore;
  logger: Logger;
  now: () => Date;
  gate: StepContext['gate'];
}

/** How a run was started and who watches it. */
export interface RunOptions {
  id: string;
  trigger: SyncRun['trigger'];
  actor: Actor;
  sink: OrchestrationSink;
  onProgress?: (p: RunProgress) => void;
  /** Told the identities each page touched. */
  onTouched?: (t: TouchedIds) => void;
  /** Stop between pages (shutdown). */
  signal?: AbortSignal;
}

const LOG_EVERY_MS = 5000;

/**
 * The cursor key of a scope in the channel state.
 * @param scope - a scope
 */
export function cursorKey(scope: string): string {
  return `cursor:${scope}`;
}

/**
 * Run a channel's job over all its scopes.
 * @param deps - stores, logger, clock, gate
 * @param job - the channel's work
 * @param opts - trigger, actor, sink, progress, abort signal
 */
export async function runChannel(deps: RunnerDeps, job: ChannelJob, opts: RunOptions): Promise<SyncRun> {
  const started = deps.now();
  const run: SyncRun = { id: opts.id, channel: job.channel, trigger: opts.trigger, status: 'running', startedAt: started.toISOString(), pages: 0, counts: zeroCounts(), caughtUp: false };
  await deps.runs.save(run);
  const watch = progressWatch(deps, run, started, opts.onProgress);
  try {
    for (const scope of job.scopes()) {
      await runScope(deps, job, scope, run, opts, watch);
      if (opts.signal?.aborted) throw new MediatorError('unavailable', 'stopped: Passerelle is shutting down');
    }
    Object.assign(run, { status: 'succeeded', caughtUp: true });
  } catch (err) {
    Object.assign(run, { status: 'failed', error: err instanceof Error ? err.message : String(err) });
    deps.logger.warn({ channel: job.channel, runId: run.id, err }, 'sync run failed; the cursor stays at the last stored page');
  }
  run.finishedAt = deps.now().toISOString();
  await deps.runs.save(run);
  deps.logger.info({ channel: job.channel, runId: run.id, status: run.status, pages: run.pages, counts: run.counts, ms: Date.parse(run.finishedAt) - started.getTime() }, 'sync run finished');
  return run;
}

async function runScope(deps: RunnerDeps, job: ChannelJob, scope: string, run: SyncRun, opts: RunOptions, watch: (scope: string) => void): Promise<void> {
  let position = await deps.state.get<unknown>(job.channel, cursorKey(scope));
  let first = true;
  for (;;) {
    if (opts.signal?.aborted) return;
    let step: StepResult;
    try {
      step = await job.step(scope, position, { sink: opts.sink, wantTotal: first, actor: opts.actor, gate: deps.gate });
    } catch (err) {
      await recordPageFailure(deps, job.channel, scope, position, err);
      throw err;
    }
    if (first) await resolvePageFailures(deps, job.channel, scope);
    const stuck = step.more && JSON.stringify(step.position) === JSON.stringify(position);
    await deps.state.put(job.channel, cursorKey(scope), step.position);
    position = step.position;
    run.pages += 1;
    addCounts(run.counts, step.counts);
    if (step.touched) opts.onTouched?.(step.touched);
    if (step.total !== undefined && first) run.expected = (run.expected ?? 0) + step.total;
    await deps.runs.save(run);
    watch(scope);
    first = false;
    if (stuck) throw new MediatorError('upstream-rejected', `${job.channel} returned the same page again for ${scope}: its paging does not move`);
    if (!step.more) return;
  }
}

async function recordPageFailure(deps: RunnerDeps, channel: string, scope: string, position: unknown, err: unknown): Promise<void> {
  if (!(err instanceof MediatorError)) return; // a bug or a store failure: logged with the run, nothing to re-drive
  const upstream = err instanceof UpstreamError ? { url: err.url, status: err.status ?? null, failure: err.failure } : {};
  await deps.deadLetters.record({
    channel, stage: 'receive', resourceType: 'page', resourceId: scope, key: `${channel}|${scope}`,
    payload: { scope, position, error: err.message, ...upstream }, reason: err.message,
  }, deps.now().toISOString()).catch((e: unknown) => deps.logger.error({ err: e, channel }, 'could not record a page failure'));
}

async function resolvePageFailures(deps: RunnerDeps, channel: string, scope: string): Promise<void> {
  if ((await deps.deadLetters.countOpen(channel)) > 0) await deps.deadLetters.resolveRecords(channel, 'page', [scope], deps.now().toISOString());
}

function progressWatch(deps: RunnerDeps, run: SyncRun, started: Date, onProgress?: (p: RunProgress) => void): (scope: string) => void {
  // The first page is logged (it says how many records to expect), then one line every LOG_EVERY_MS.
  let lastLog = Number.NEGATIVE_INFINITY;
  return (scope) => {
    const now = deps.now().getTime();
    const records = run.counts.received;
    const ratePerSecond = records / Math.max(0.001, (now - started.getTime()) / 1000);
    const etaSeconds = run.expected !== undefined && ratePerSecond > 0 ? Math.max(0, (run.expected - records) / ratePerSecond) : undefined;
    const progress: RunProgress = { run, scope, records, expected: run.expected, ratePerSecond, ...(etaSeconds !== undefined ? { etaSeconds } : {}) };
    onProgress?.(progress);
    if (now - lastLog >= LOG_EVERY_MS) {
      lastLog = now;
      deps.logger.info({ channel: run.channel, runId: run.id, scope, records, expected: run.expected, ratePerSecond: Math.round(ratePerSecond), etaSeconds: etaSeconds === undefined ? undefined : Math.round(etaSeconds) }, 'sync progress');
    }
  };
}
