/**
 * The channel manager: runs each enabled channel on its own timer, at most one run per channel at a
 * time, with registry work limited to `syncConcurrency` channels at once (upstream waits are outside
 * the limit, so a source that is down or slow holds nothing the others need). It takes pushes,
 * re-drives dead letters and reports status. `reconfigure` applies new live settings (URLs,
 * credentials, intervals, page sizes) without a restart: a run in progress finishes with the old
 * settings, the next one uses the new.
 */
import { randomUUID } from 'node:crypto';
import type { LiveSettings } from '../config/live';
import type { Patient } from 'fhir/r4';
import type { ChannelName, InboundChannel, OutboundRegistry, SourceName } from '../channels/ports';
import { CHANNEL_NAMES } from '../channels/ports';
import { MediatorError } from '../core/errors';
import type { Logger } from '../core/logger';
import type { OrchestrationSink } from '../core/orchestration';
import { discardOrchestration } from '../core/orchestration';
import type { Actor } from '../core/types';
import { writeBack } from './inbound-job';
import { ingestPage } from './ingest';
import type { IngestDeps, PageOutcome } from './ingest';
import type { ChannelStateStore, DeadLetter, DeadLetterStore, FailureQuery, SyncRun, SyncRunStore } from './ports';
import { csvRowRecords, decodePush } from './push';
import type { RawPush } from './push';
import { redrive } from './redrive';
import type { RedriveResult } from './redrive';
import { cursorKey, runChannel } from './runner';
import type { ChannelJob, RunProgress } from './runner';
import { Semaphore } from './semaphore';
import { TouchedCollector } from './touched';

/** The channels built from one set of live settings. */
export interface ChannelSet {
  /** Enabled channels' jobs. */
  jobs: Map<ChannelName, ChannelJob>;
  /** Enabled inbound channels (push, write-back re-drives). */
  inbound: Map<ChannelName, InboundChannel>;
  /** Poll interval per enabled channel (ms). */
  intervals: Map<ChannelName, number>;
  /** The national registry channel, when enabled (asked on a `$match` miss). */
  ncr?: OutboundRegistry;
  concurrency: number;
}

/** What the manager uses. */
export interface ManagerDeps extends Omit<IngestDeps, 'deadLetters'> {
  state: ChannelStateStore;
  runs: SyncRunStore;
  deadLetters: DeadLetterStore;
  logger: Logger;
  /** Build the channels of a set of live settings. */
  build(settings: LiveSettings): ChannelSet;
}

/** How a run is asked for. */
export interface RunRequest {
  trigger: SyncRun['trigger'];
  actor: Actor;
  sink?: OrchestrationSink;
  onProgress?: (p: RunProgress) => void;
}

/** One channel in `GET /sync/status`. */
export interface ChannelStatus {
  channel: ChannelName;
  enabled: boolean;
  running: boolean;
  progress?: Omit<RunProgress, 'run'>;
  lastRun: SyncRun | null;
  lastCaughtUpAt?: string;
  /** Seconds since the channel last caught up with its source. */
  lagSeconds?: number;
  nextRunAt?: string;
  cursors: Array<{ scope: string; position: unknown; updatedAt: string }>;
  openFailures: number;
}

/** A run in progress: its end, its latest progress and the identities it touched so far. */
interface RunningEntry {
  promise: Promise<SyncRun>;
  progress?: RunProgress;
  touched: TouchedCollector;
}

/** A run asked for: its id, its end, and the identities it touched (the whole run's, when joined). */
export interface StartedRun {
  runId: string;
  done: Promise<SyncRun>;
  joined: boolean;
  touched(): ReturnType<TouchedCollector['snapshot']>;
}

/** Runs, schedules and reports the channels. */
export class ChannelManager {
  private set: ChannelSet;
  private readonly gate: Semaphore;
  private readonly running = new Map<ChannelName, RunningEntry>();
  private readonly timers = new Map<ChannelName, { timer: NodeJS.Timeout; at: number }>();
  private readonly lifetime = new AbortController();
  private started = false;

  /**
   * @param deps - stores, registry, mappings, logger and the channel builder
   * @param settings - the live settings at start
   */
  constructor(private readonly deps: ManagerDeps, settings: LiveSettings) {
    this.set = deps.build(settings);
    this.gate = new Semaphore(this.set.concurrency);
  }

  /**
   * Mark runs a previous process left running as failed, and start the timers.
   * @param schedule - run channels on their timers (false: only on demand, as the command line does)
   */
  async start(schedule = true): Promise<void> {
    const interrupted = await this.deps.runs.failInterrupted(new Date().toISOString());
    if (interrupted > 0) this.deps.logger.warn({ interrupted }, 'sync runs interrupted by the previous stop are marked failed; their channels resume from their cursors');
    this.started = schedule;
    if (!schedule) return;
    for (const channel of this.set.jobs.keys()) this.schedule(channel, this.set.intervals.get(channel) ?? 300_000);
  }

  /** Stop the timers, stop runs between pages and wait for them. */
  async stop(): Promise<void> {
    this.started = false;
    this.lifetime.abort();
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()].map((r) => r.promise));
  }

  /**
   * Apply new live settings: channels are rebuilt, timers follow the new intervals.
   * @param settings - the new live settings (already validated)
   */
  reconfigure(settings: LiveSettings): void {
    this.set = this.deps.build(settings);
    this.gate.resize(this.set.concurrency);
    for (const [channel, { timer }] of this.timers) {
      if (!this.set.jobs.has(channel)) {
        clearTimeout(timer);
        this.timers.delete(channel);
      }
    }
    if (this.started) for (const channel of this.set.jobs.keys()) this.schedule(channel, this.set.intervals.get(channel) ?? 300_000);
    this.deps.logger.info({ channels: [...this.set.jobs.keys()], concurrency: this.set.concurrency }, 'channels reconfigured');
  }

  /**
   * Run a channel now; a run already in progress is joined, not doubled.
   * @param channel - the channel
   * @param req - trigger, actor, sink, progress
   */
  run(channel: ChannelName, req: RunRequest): StartedRun {
    const job = this.set.jobs.get(channel);
    if (!job) throw new MediatorError('conflict', `the ${channel} channel is not enabled (set ${channel.toUpperCase()}_ENABLED and ${channel.toUpperCase()}_BASE_URL)`);
    const current = this.running.get(channel);
    if (current) return { runId: current.progress?.run.id ?? '', done: current.promise, joined: true, touched: () => current.touched.snapshot() };
    const id = randomUUID();
    const entry: RunningEntry = { promise: Promise.resolve(null as unknown as SyncRun), touched: new TouchedCollector() };
    const deps = { ...this.deps, now: this.deps.now, gate: <T>(w: () => Promise<T>) => this.gate.run(w) };
    entry.promise = runChannel(deps, job, {
      id, trigger: req.trigger, actor: req.actor, sink: req.sink ?? discardOrchestration, signal: this.lifetime.signal,
      onProgress: (p) => {
        entry.progress = p;
        req.onProgress?.(p);
      },
      onTouched: (t) => entry.touched.add(t),
    }).finally(() => this.running.delete(channel));
    this.running.set(channel, entry);
    return { runId: id, done: entry.promise, joined: false, touched: () => entry.touched.snapshot() };
  }

  /**
   * Take in a payload pushed by a source (through an OpenHIM channel): same mapping, same ingest
   * path. A body that is not JSON (CSV for `csv/rows`) is refused and kept as a dead letter.
   * @param source - the channel, or `csv`
   * @param resource - the path's resource segment
   * @param raw - content type and bytes as received
   * @param actor - who pushed
   * @param sink - orchestration sink (write-backs)
   */
  async push(source: SourceName, resource: string, raw: RawPush, actor: Actor, sink: OrchestrationSink): Promise<PageOutcome> {
    // The national registry pushes its Patients too; it has nothing to write back to.
    const inbound = source === 'csv' ? null : source === 'ncr' ? this.set.ncr : this.set.inbound.get(source);
    if (source !== 'csv' && !inbound) throw new MediatorError('conflict', `the ${source} channel is not enabled`);
    const body = await decodePush(this.deps.deadLetters, source, resource, raw, this.deps.now().toISOString());
    const records = inbound ? inbound.recordsOfPush(resource, body) : csvRowRecords(resource, body);
    const outcome = await this.gate.run(() => ingestPage(this.deps, records, actor));
    if (inbound && 'pull' in inbound) outcome.counts.writtenBack = await writeBack(this.deps, inbound, outcome.outcomes, sink);
    return outcome;
  }

  /**
   * A `$match` found nothing: ask the national registry (when NCR_QUERY_ON_MATCH_MISS is on) and take in
   * the source records it holds for these demographics, so that matching again can find the person.
   * @param probe - the Patient `$match` was given
   * @param actor - who asked
   * @param sink - orchestration sink
   * @returns whether a record was taken in
   */
  async askRegistryOnMiss(probe: Patient, actor: Actor, sink: OrchestrationSink = discardOrchestration): Promise<boolean> {
    const ncr = this.set.ncr;
    if (!ncr?.queryOnMatchMiss) return false;
    try {
      const records = await ncr.recordsMatching(probe, sink);
      if (records.length === 0) return false;
      const { counts } = await this.gate.run(() => ingestPage(this.deps, records, actor));
      return counts.created + counts.linked + counts.review + counts.updated > 0;
    } catch (err) {
      // The registry is down: $match answers with what Passerelle knows.
      this.deps.logger.warn({ err }, 'the national registry could not be asked on a $match miss');
      return false;
    }
  }

  /**
   * The dead letters of a filter.
   * @param q - filter and page
   */
  failures(q: FailureQuery): Promise<{ total: number; items: DeadLetter[] }> {
    return this.deps.deadLetters.list(q);
  }

  /**
   * One dead letter (not-found when there is none).
   * @param id - its id
   */
  async failure(id: string): Promise<DeadLetter> {
    const d = await this.deps.deadLetters.get(id);
    if (!d) throw new MediatorError('not-found', 'No failure with this id');
    return d;
  }

  /**
   * Re-drive dead letters: one by id, or those of a filter (oldest first, at most `limit`).
   * @param target - an id, or a filter
   * @param actor - who asked
   * @param sink - orchestration sink
   */
  async redrive(target: string | Omit<FailureQuery, 'status' | 'offset'>, actor: Actor, sink: OrchestrationSink): Promise<RedriveResult[]> {
    const deps = { ...this.deps, inbound: (c: ChannelName) => this.set.inbound.get(c) ?? null };
    if (typeof target === 'string') {
      const d = await this.failure(target);
      return [await this.gate.run(() => redrive(deps, d, actor, sink))];
    }
    const { items } = await this.deps.deadLetters.list({ ...target, status: 'open', offset: 0 });
    const results: RedriveResult[] = [];
    for (const d of items) results.push(await this.gate.run(() => redrive(deps, d, actor, sink)));
    return results;
  }

  /** Status of every channel (enabled or not). */
  async status(): Promise<ChannelStatus[]> {
    const now = Date.now();
    return Promise.all(CHANNEL_NAMES.map(async (channel): Promise<ChannelStatus> => {
      const [{ last, lastCaughtUp }, cursors, openFailures] = await Promise.all([
        this.deps.runs.latest(channel), this.deps.state.list<unknown>(channel, cursorKey('')), this.deps.deadLetters.countOpen(channel),
      ]);
      const live = this.running.get(channel)?.progress;
      const timer = this.timers.get(channel);
      const caughtUpAt = lastCaughtUp?.finishedAt;
      return {
        channel, enabled: this.set.jobs.has(channel), running: this.running.has(channel), lastRun: live?.run ?? last,
        ...(live ? { progress: { scope: live.scope, records: live.records, expected: live.expected, ratePerSecond: live.ratePerSecond, etaSeconds: live.etaSeconds } } : {}),
        ...(caughtUpAt ? { lastCaughtUpAt: caughtUpAt, lagSeconds: Math.max(0, Math.round((now - Date.parse(caughtUpAt)) / 1000)) } : {}),
        ...(timer ? { nextRunAt: new Date(timer.at).toISOString() } : {}),
        cursors: cursors.map((c) => ({ scope: c.key.slice(cursorKey('').length), position: c.value, updatedAt: c.updatedAt })),
        openFailures,
      };
    }));
  }

  private schedule(channel: ChannelName, delayMs: number): void {
    const prev = this.timers.get(channel);
    if (prev) clearTimeout(prev.timer);
    const timer = setTimeout(() => void this.tick(channel), delayMs);
    timer.unref();
    this.timers.set(channel, { timer, at: Date.now() + delayMs });
  }

  private async tick(channel: ChannelName): Promise<void> {
    this.timers.delete(channel);
    if (!this.started || !this.set.jobs.has(channel)) return;
    try {
      await this.run(channel, { trigger: 'schedule', actor: { clientId: `channel:${channel}` } }).done;
    } catch (err) {
      this.deps.logger.error({ err, channel }, 'scheduled sync could not run');
    }
    if (this.started && this.set.jobs.has(channel)) this.schedule(channel, this.set.intervals.get(channel) ?? 300_000);
  }
}
