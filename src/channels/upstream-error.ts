/**
 * The one error of an upstream call (DHIS2, OpenMRS, iHRIS, the national registry): which channel,
 * what was called (URL without credentials), what came back, how long it took and whether trying
 * again later may help. It is a MediatorError, so the APIs render it like any other.
 */
import { MediatorError } from '../core/errors';

/** Why an upstream call failed. */
export type UpstreamFailure = 'timeout' | 'network' | 'status' | 'malformed' | 'auth';

/** What an UpstreamError carries. */
export interface UpstreamErrorInfo {
  channel: string;
  method: string;
  /** The URL called, credentials and secrets removed. */
  url: string;
  /** HTTP status, when the upstream answered. */
  status?: number;
  durationMs: number;
  failure: UpstreamFailure;
  /** Whether the same call may succeed later (timeouts, 5xx, 429, a malformed body). */
  retryable: boolean;
}

/** An upstream call failed; `retryable` drives the helper's retries and OpenHIM's `error`. */
export class UpstreamError extends MediatorError {
  readonly channel: string;
  readonly method: string;
  readonly url: string;
  readonly status?: number;
  readonly durationMs: number;
  readonly failure: UpstreamFailure;
  readonly retryable: boolean;

  /**
   * @param message - what went wrong, without credentials or personal data
   * @param info - channel, call, status, duration and retry hint
   */
  constructor(message: string, info: UpstreamErrorInfo) {
    super(info.retryable ? 'upstream-unavailable' : 'upstream-rejected', message, {
      channel: info.channel, method: info.method, url: info.url, status: info.status ?? null, durationMs: info.durationMs, failure: info.failure,
    });
    this.name = 'UpstreamError';
    this.channel = info.channel;
    this.method = info.method;
    this.url = info.url;
    this.status = info.status;
    this.durationMs = info.durationMs;
    this.failure = info.failure;
    this.retryable = info.retryable;
  }
}

/** HTTP statuses worth a retry: the upstream is busy, restarting or behind a failing proxy. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 425, 429, 500, 502, 503, 504]);

/**
 * A URL safe to log and show: no user information, and no value of a parameter that looks secret.
 * @param url - absolute URL
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    for (const key of [...u.searchParams.keys()]) {
      if (/token|secret|password|key|auth/i.test(key)) u.searchParams.set(key, 'REDACTED');
    }
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}
