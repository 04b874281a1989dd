/**
 * The live settings in force, and who follows them. The environment gives the base; OpenHIM's console
 * config is laid over it (a value the console leaves empty keeps the environment's), and the whole is
 * validated with the one schema of live.ts before it replaces the current value. An invalid candidate
 * changes nothing: every problem is logged and the previous settings stay in force. The parts that use
 * a setting (the matcher, the channels, the event topics, the log level) subscribe and are handed each
 * new value with the keys that changed.
 */
import type { Logger } from '../core/logger';
import { LIVE_SETTING_KEYS, parseLiveSettings } from './live';
import type { LiveSettings } from './live';

/** Called with the new settings, the previous ones and the keys whose value changed. */
export type LiveSettingsListener = (next: LiveSettings, previous: LiveSettings, changed: string[]) => void | Promise<void>;

/** What became of a candidate. */
export type LiveSettingsOutcome = { ok: true; changed: string[] } | { ok: false; problems: string[] };

export interface LiveSettingsHolderOptions {
  /** The environment's live settings, unparsed (liveCandidateFromEnv). */
  base: Record<string, unknown>;
  /** The settings parsed from `base` at start. */
  initial: LiveSettings;
  logger: Logger;
}

const KNOWN = new Set<string>(LIVE_SETTING_KEYS);

/**
 * Whether a console value means "not set here": OpenHIM cannot store an absent value for a declared
 * param, so an empty string, an empty list or null stands for "use the environment's".
 * @param v - a value from OpenHIM's config
 */
function isUnset(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);
}

function changedKeys(a: LiveSettings, b: LiveSettings): string[] {
  return LIVE_SETTING_KEYS.filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

/** The current live settings and their subscribers. */
export class LiveSettingsHolder {
  private value: LiveSettings;
  private readonly listeners = new Map<string, LiveSettingsListener>();
  /** Applies run one after the other, so two heartbeats never interleave their listeners. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The keys last reported as set by OpenHIM over a different environment value. */
  private reportedOverrides = '';

  /**
   * @param opts - the environment's settings (raw and parsed) and a logger
   */
  constructor(private readonly opts: LiveSettingsHolderOptions) {
    this.value = opts.initial;
  }

  /** The settings in force. */
  get current(): LiveSettings {
    return this.value;
  }

  /**
   * Follow changes. Listeners run in subscription order; one that throws is logged and the others
   * still run.
   * @param name - who listens (for logs)
   * @param listener - called after each accepted change
   * @returns a function that unsubscribes
   */
  subscribe(name: string, listener: LiveSettingsListener): () => void {
    if (this.listeners.has(name)) throw new Error(`a live-settings listener named ${name} is already subscribed`);
    this.listeners.set(name, listener);
    return () => this.listeners.delete(name);
  }

  /**
   * Lay a config from OpenHIM over the environment's settings, validate the result and, when valid
   * and different, make it current and notify the listeners.
   * @param overrides - OpenHIM's config object (flat, keyed by configDef param)
   * @param source - where it came from (for logs), e.g. `openhim heartbeat`
   */
  applyOverrides(overrides: Record<string, unknown>, source: string): Promise<LiveSettingsOutcome> {
    const run = this.queue.then(() => this.apply(overrides, source));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async apply(overrides: Record<string, unknown>, source: string): Promise<LiveSettingsOutcome> {
    const candidate: Record<string, unknown> = { ...this.opts.base };
    const ignored: string[] = [];
    for (const [k, v] of Object.entries(overrides)) {
      if (!KNOWN.has(k)) ignored.push(k);
      else if (!isUnset(v)) candidate[k] = v;
    }
    if (ignored.length > 0) this.opts.logger.warn({ source, ignored }, 'live settings: unknown keys ignored');
    const parsed = parseLiveSettings(candidate);
    if (!parsed.ok) {
      this.opts.logger.error({ source, problems: parsed.problems }, 'live settings refused; the previous settings stay in force');
      return { ok: false, problems: parsed.problems };
    }
    this.reportOverrides(parsed.settings, overrides, source);
    const previous = this.value;
    const changed = changedKeys(previous, parsed.settings);
    if (changed.length === 0) return { ok: true, changed };
    this.value = parsed.settings;
    // Keys only: values can be credentials.
    this.opts.logger.info({ source, changed }, 'live settings applied');
    await this.notify(parsed.settings, previous, changed);
    return { ok: true, changed };
  }

  /**
   * Say (once per distinct set) which settings OpenHIM's config holds at a value other than the
   * environment's. Core keeps the values Passerelle seeded at its first registration, so an
   * environment variable changed later is not in force until its field is cleared in the console:
   * this log is where an operator sees why. Keys only: values can be credentials.
   */
  private reportOverrides(settings: LiveSettings, overrides: Record<string, unknown>, source: string): void {
    const keys = LIVE_SETTING_KEYS.filter((k) => !isUnset(overrides[k]) && JSON.stringify(settings[k]) !== JSON.stringify(this.opts.initial[k]));
    const signature = keys.join(',');
    if (signature === this.reportedOverrides) return;
    this.reportedOverrides = signature;
    if (keys.length > 0) {
      this.opts.logger.info({ source, keys }, 'live settings: OpenHIM\'s config is in force over the environment for these keys (clear a field in the console to use the environment\'s value)');
    }
  }

  private async notify(next: LiveSettings, previous: LiveSettings, changed: string[]): Promise<void> {
    for (const [name, listener] of this.listeners) {
      try {
        await listener(next, previous, changed);
      } catch (err) {
        this.opts.logger.error({ err, listener: name, changed }, 'a live-settings listener failed to apply the new settings');
      }
    }
  }
}
