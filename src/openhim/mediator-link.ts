/**
 * Passerelle's link with OpenHIM Core (openhim.md §8): wait for Core with backoff, register, fetch and
 * apply the config, then heartbeat. The link never takes the mediator down because Core is away — the
 * APIs keep serving — except for the configuration errors no retry can fix (bad credentials, a user
 * outside Core's admin group, a registration Core rejects, an untrusted certificate), which stop
 * start-up with a message naming what to fix.
 *
 * With several replicas under one URN, Core hands a console change to the first heartbeat that follows
 * it only (§4.2); each replica therefore also asks for the config every `configPollMs`, so none misses
 * a change for longer than that.
 */
import type { Logger } from '../core/logger';
import { sleep } from '../core/retry';
import { CoreApiError, isTlsMisconfiguration } from './core-api';
import type { CoreApi } from './core-api';
import type { MediatorConfig } from './mediator-config';

/** A configuration error Core reported; start-up stops on it. */
export class OpenhimSetupError extends Error {
  /**
   * @param message - what is wrong and which setting fixes it
   */
  constructor(message: string) {
    super(message);
    this.name = 'OpenhimSetupError';
  }
}

/** What the link does with a config Core sends (validate and apply; never throws). */
export type ConfigSink = (config: Record<string, unknown>, source: string) => Promise<unknown>;

export interface MediatorLinkOptions {
  api: CoreApi;
  /** The registration document, built when (re-)registering so its seeded config is current. */
  registration: () => MediatorConfig;
  applyConfig: ConfigSink;
  logger: Logger;
  /** Between heartbeats (Core's console marks a mediator amber after 60 s without one). */
  heartbeatMs?: number;
  /** How often each replica asks for the config even when Core does not push it. */
  configPollMs?: number;
  /** First retry delay while Core is away; doubles up to `maxBackoffMs`, with jitter. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Process uptime in seconds (Core shows it). */
  uptime?: () => number;
  random?: () => number;
}

/** Where the link stands. */
export type LinkState = 'idle' | 'waiting-for-core' | 'registering' | 'registered' | 'stopped' | 'failed';

/** Heartbeat failures are logged at the first one, then once a minute, and when beats come back. */
const LOG_EVERY_N_FAILURES = 6;

/** The registration and heartbeat loop of one mediator process. */
export class MediatorLink {
  private status: LinkState = 'idle';
  private readonly lifetime = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private lastConfigAt = 0;
  private failedBeats = 0;

  /**
   * @param opts - Core's API, the registration, the config sink, pacing
   */
  constructor(private readonly opts: MediatorLinkOptions) {}

  /** Where the link stands (for logs and tests). */
  get state(): LinkState {
    return this.status;
  }

  /**
   * Wait for Core, register, apply its config and start heartbeats. Resolves once registered (or
   * when stopped first); rejects with OpenhimSetupError on a configuration error.
   */
  async start(): Promise<void> {
    const signal = this.lifetime.signal;
    await this.registerWhenReachable();
    if (signal.aborted) return;
    await this.fetchConfigUntilAnswered();
    if (signal.aborted) return;
    this.schedule();
  }

  /** Stop heartbeats (the in-flight one finishes). */
  async stop(): Promise<void> {
    this.lifetime.abort();
    this.status = 'stopped';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.beating;
  }

  private get urn(): string {
    return this.opts.registration().urn;
  }

  private delayFor(attempt: number): number {
    const initial = this.opts.initialBackoffMs ?? 1000;
    const capped = Math.min(this.opts.maxBackoffMs ?? 30_000, initial * 2 ** Math.min(attempt - 1, 20));
    // Jitter (half to full delay): replicas that lost Core together do not come back in lockstep.
    return Math.round(capped * (0.5 + 0.5 * (this.opts.random ?? Math.random)()));
  }

  /**
   * Retry `step` with backoff until it succeeds, the link stops, or a setup error surfaces.
   * @param what - the state reached when the step succeeds (`reachable`, `registered`…), for logs
   * @param step - the attempt
   */
  private async withBackoff(what: string, step: () => Promise<void>): Promise<void> {
    for (let attempt = 1; !this.lifetime.signal.aborted; attempt++) {
      try {
        await step();
        if (attempt > 1) this.opts.logger.info({ openhim: this.opts.api.url, attempt }, `OpenHIM Core: ${what} after ${attempt} attempts`);
        return;
      } catch (err) {
        const setup = setupErrorOf(err, this.opts.api.url);
        if (setup) {
          this.status = 'failed';
          this.opts.logger.error({ openhim: this.opts.api.url }, setup.message);
          throw setup;
        }
        const retryInMs = this.delayFor(attempt);
        this.opts.logger.warn({ openhim: this.opts.api.url, attempt, retryInMs, reason: reasonOf(err) }, `OpenHIM Core: not ${what} yet; retrying`);
        await sleep(retryInMs, this.lifetime.signal);
      }
    }
  }

  private async registerWhenReachable(): Promise<void> {
    this.status = 'waiting-for-core';
    this.opts.logger.info({ openhim: this.opts.api.url, urn: this.urn }, 'OpenHIM Core: connecting');
    await this.withBackoff('reachable', () => this.opts.api.ping());
    if (this.lifetime.signal.aborted) return;
    this.status = 'registering';
    await this.withBackoff('registered', () => this.opts.api.register(this.opts.registration()));
    if (this.lifetime.signal.aborted) return;
    this.status = 'registered';
    this.opts.logger.info({ openhim: this.opts.api.url, urn: this.urn, version: this.opts.registration().version }, 'registered with OpenHIM Core');
  }

  private async fetchConfigUntilAnswered(): Promise<void> {
    await this.withBackoff('given its config', async () => {
      try {
        const config = await this.opts.api.heartbeat(this.urn, this.uptime(), true);
        this.lastConfigAt = Date.now();
        if (config) await this.opts.applyConfig(config, 'openhim config fetch');
      } catch (err) {
        // Deleted between registration and this fetch: register again, then retry the fetch.
        if (err instanceof CoreApiError && err.status === 404) await this.opts.api.register(this.opts.registration());
        throw err;
      }
    });
  }

  private uptime(): number {
    return (this.opts.uptime ?? process.uptime)();
  }

  private schedule(): void {
    if (this.lifetime.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.beating = this.beat().finally(() => {
        this.beating = null;
        this.schedule();
      });
    }, this.opts.heartbeatMs ?? 10_000);
    this.timer.unref();
  }

  /** One heartbeat; never throws. */
  private async beat(): Promise<void> {
    const wantConfig = Date.now() - this.lastConfigAt >= (this.opts.configPollMs ?? 60_000);
    try {
      const config = await this.opts.api.heartbeat(this.urn, this.uptime(), wantConfig);
      if (wantConfig) this.lastConfigAt = Date.now();
      if (this.failedBeats > 0) this.opts.logger.info({ openhim: this.opts.api.url, failedBeats: this.failedBeats }, 'OpenHIM Core: heartbeats answered again');
      this.failedBeats = 0;
      if (config) await this.opts.applyConfig(config, wantConfig ? 'openhim config poll' : 'openhim heartbeat');
    } catch (err) {
      await this.onBeatFailure(err);
    }
  }

  private async onBeatFailure(err: unknown): Promise<void> {
    if (err instanceof CoreApiError && err.status === 404) {
      // The mediator was deleted in the console (or Core's database was reset): register again.
      this.opts.logger.warn({ openhim: this.opts.api.url, urn: this.urn }, 'OpenHIM Core no longer knows this mediator; registering again');
      try {
        await this.registerWhenReachable();
        await this.fetchConfigUntilAnswered();
      } catch (setupErr) {
        // A setup error after start-up (e.g. the password was changed) is logged; beats keep trying.
        this.opts.logger.error({ err: setupErr }, 'OpenHIM Core: re-registration failed');
      }
      return;
    }
    this.failedBeats++;
    if (this.failedBeats === 1 || this.failedBeats % LOG_EVERY_N_FAILURES === 0) {
      this.opts.logger.warn({ openhim: this.opts.api.url, failedBeats: this.failedBeats, reason: reasonOf(err) }, 'OpenHIM Core: heartbeat failed');
    }
  }
}

function reasonOf(err: unknown): string {
  if (err instanceof CoreApiError) return err.status ? `HTTP ${err.status}` : `${err.code ?? 'network'}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * The configuration error behind a failed call, with the setting to fix; null when a retry may help.
 * @param err - the failure
 * @param apiUrl - Core's API address
 */
export function setupErrorOf(err: unknown, apiUrl: string): OpenhimSetupError | null {
  if (!(err instanceof CoreApiError)) return null;
  const said = err.body ? `: ${err.body.trim().slice(0, 300)}` : '';
  const status = err.status ?? 0;
  // Core's readiness probe is public: a 4xx there means the address is not Core's API.
  if (err.operation === 'ping' && status >= 400 && status < 500) return wrongAddress(apiUrl, status);
  switch (status) {
    case 400:
      return new OpenhimSetupError(`OpenHIM Core at ${apiUrl} rejected the registration (400)${said}. Fix mediator-config.json (configDefs, config, endpoints) and bump package.json's version.`);
    case 401:
      return new OpenhimSetupError(`OpenHIM Core at ${apiUrl} refused the credentials (401). Check OPENHIM_USERNAME and OPENHIM_PASSWORD; Core 7.0 and older accept only OPENHIM_API_AUTH=token.`);
    case 403:
      return new OpenhimSetupError(`OpenHIM Core at ${apiUrl} refused access (403): OPENHIM_USERNAME must be a user in Core's admin group (mediator-manage permissions on Core after 8.5).`);
    case 404:
    case 405:
      // A heartbeat's 404 means Core forgot the mediator (the link registers again); elsewhere, a wrong address.
      return err.operation === 'heartbeat' ? null : wrongAddress(apiUrl, status);
    default:
      break;
  }
  if (err.status === undefined && isTlsMisconfiguration(err)) {
    return new OpenhimSetupError(`Cannot open a trusted TLS connection to OpenHIM Core at ${apiUrl} (${err.code}: ${err.message}). Set OPENHIM_CA_FILE to the CA certificate of Core's API (OPENHIM_TRUST_SELF_SIGNED=true only in development), or match OPENHIM_API_URL's scheme to Core's api.protocol.`);
  }
  return null;
}

function wrongAddress(apiUrl: string, status: number): OpenhimSetupError {
  return new OpenhimSetupError(`No OpenHIM Core API at ${apiUrl} (${status}). OPENHIM_API_URL must be Core's API (port 8080 by default), not its router.`);
}
