/**
 * The one HTTP helper every channel client calls (built on axios): a timeout per call, retries with
 * exponential backoff and jitter on retryable failures only (and only for idempotent calls), typed
 * UpstreamErrors carrying status, URL without credentials and duration, JSON read strictly (an HTML
 * page or a truncated body is a failure, whatever the status), and one OpenHIM orchestration per
 * attempt reported to the sink the caller hands in.
 */
import axios from 'axios';
import type { AxiosInstance, AxiosResponse } from 'axios';
import type { Orchestration, OrchestrationSink } from '../core/orchestration';
import { discardOrchestration } from '../core/orchestration';
import { sleep } from '../core/retry';
import { RETRYABLE_STATUSES, UpstreamError, redactUrl } from './upstream-error';
import type { UpstreamFailure } from './upstream-error';

/** How a channel authenticates (source-systems.md: Basic everywhere, DHIS2 personal access tokens). */
export type UpstreamAuth =
  | { kind: 'none' }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'api-token'; token: string };

/** One upstream system as a client sees it. */
export interface UpstreamClientOptions {
  /** Channel name, carried by errors and orchestration names (dhis2, openmrs…). */
  channel: string;
  baseUrl: string;
  auth: UpstreamAuth;
  timeoutMs: number;
  /** Retries after the first attempt (default 2). */
  retries?: number;
  /** First backoff delay; doubles per retry, with full jitter (default 250 ms, at most 5 s). */
  backoffMs?: number;
  /** Headers sent on every call (e.g. x-openhim-clientid). */
  headers?: Record<string, string>;
  /** Keep the session cookie the upstream sets and send it back (OpenMRS: one login, not one per call). */
  sessionCookie?: boolean;
  /** Largest response body accepted (default 64 MiB). */
  maxBodyBytes?: number;
}

/** One call. */
export interface UpstreamRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path under the base URL, or an absolute URL on the same server (a `next` link). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Orchestration name, e.g. `DHIS2 trackedEntities page`. */
  name: string;
  /** Retry a POST too (the call is idempotent by construction). GET, PUT and DELETE always are. */
  idempotent?: boolean;
  /** Non-2xx statuses whose body is an answer, not a failure (DHIS2's 409 import report). */
  answerStatuses?: number[];
  contentType?: string;
  /** What the answer is: JSON (default), or an Atom feed (OpenMRS), handed over as text. */
  accept?: 'json' | 'atom';
}

/** What came back. */
export interface UpstreamResponse<T = unknown> {
  status: number;
  data: T;
  headers: Record<string, string>;
  url: string;
  durationMs: number;
}

/** A configured upstream. */
export interface UpstreamClient {
  readonly channel: string;
  readonly baseUrl: string;
  /**
   * Make a call; resolves with a 2xx JSON answer (or an empty body, or an Atom feed's text when asked
   * for one), throws UpstreamError otherwise.
   * @param req - the call
   * @param sink - where each attempt's orchestration goes
   */
  request<T = unknown>(req: UpstreamRequest, sink?: OrchestrationSink): Promise<UpstreamResponse<T>>;
}

/** Request and response bodies kept in an orchestration, at most. */
const ORCHESTRATION_BODY_CHARS = 16_384;

function authHeader(auth: UpstreamAuth): string | undefined {
  if (auth.kind === 'basic') return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  if (auth.kind === 'api-token') return `ApiToken ${auth.token}`;
  return undefined;
}

function flatHeaders(headers: AxiosResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined && v !== null) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}

/**
 * Parse a body strictly: an HTML page or a truncated document is reported as malformed. JSON is
 * parsed; an Atom feed is checked to be one, complete, and handed over as text.
 */
function parseBody(text: string, contentType: string, accept: UpstreamRequest['accept']): { ok: true; data: unknown } | { ok: false; why: string } {
  if (accept === 'atom') {
    if (/html/i.test(contentType) || !/<(?:\w+:)?feed\b[\s\S]*<\/(?:\w+:)?feed>\s*$/.test(text)) return { ok: false, why: 'did not answer with a complete Atom feed' };
    return { ok: true, data: text };
  }
  if (text.trim() === '') return { ok: true, data: undefined };
  if (/html/i.test(contentType) || /^\s*</.test(text)) return { ok: false, why: 'answered with an HTML page instead of JSON' };
  try {
    return { ok: true, data: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, why: `answered with a body that is not complete JSON (${(err as Error).message.slice(0, 120)})` };
  }
}

function retryAfterMs(headers: Record<string, string>): number | undefined {
  const v = headers['retry-after'];
  if (v === undefined) return undefined;
  const seconds = Number(v);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}

/**
 * A 2xx JSON answer as data, anything else as an UpstreamError.
 * @param channel - channel name
 * @param req - the call
 * @param url - the URL called
 * @param res - axios' response (body as text)
 * @param headers - its headers, flattened
 * @param durationMs - how long the call took
 */
function interpret<T>(channel: string, req: UpstreamRequest, url: string, res: AxiosResponse<string>, headers: Record<string, string>, durationMs: number): UpstreamResponse<T> {
  // After redirects (a login page, say) the URL that answered is the one to show.
  const info = { channel, method: req.method, url: redactUrl((res.request as { res?: { responseUrl?: string } } | undefined)?.res?.responseUrl ?? url), status: res.status, durationMs };
  if ((res.status < 200 || res.status >= 300) && !req.answerStatuses?.includes(res.status)) {
    const auth = res.status === 401 || res.status === 403;
    const failure: UpstreamFailure = auth ? 'auth' : 'status';
    const err = new UpstreamError(`${channel} ${auth ? `refused the credentials (${res.status})` : `answered ${res.status}`}`, { ...info, failure, retryable: RETRYABLE_STATUSES.has(res.status) });
    throw Object.assign(err, { retryAfterMs: retryAfterMs(headers) });
  }
  const parsed = parseBody(typeof res.data === 'string' ? res.data : '', headers['content-type'] ?? '', req.accept);
  if (!parsed.ok) throw new UpstreamError(`${channel} ${parsed.why} (status ${res.status})`, { ...info, failure: 'malformed', retryable: true });
  return { status: res.status, data: parsed.data as T, headers, url: info.url, durationMs };
}

/**
 * A client of one upstream system.
 * @param opts - base URL, authentication, timeout and retry policy
 */
export function createUpstreamClient(opts: UpstreamClientOptions): UpstreamClient {
  const http: AxiosInstance = axios.create({
    baseURL: opts.baseUrl.replace(/\/+$/, '') + '/',
    timeout: opts.timeoutMs,
    responseType: 'text',
    transformResponse: [(d: unknown) => d],
    validateStatus: () => true,
    maxContentLength: opts.maxBodyBytes ?? 64 * 1024 * 1024,
    maxBodyLength: opts.maxBodyBytes ?? 64 * 1024 * 1024,
    headers: { Accept: 'application/json, application/fhir+json;q=0.9', ...opts.headers },
  });
  const auth = authHeader(opts.auth);
  let cookie: string | undefined;

  async function attempt<T>(req: UpstreamRequest, sink: OrchestrationSink, label: string): Promise<UpstreamResponse<T>> {
    const url = absoluteUrl(http, req);
    const started = performance.now();
    const startedAt = new Date();
    const body = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
    const headers: Record<string, string> = { ...(auth ? { Authorization: auth } : {}), ...(cookie ? { Cookie: cookie } : {}) };
    if (body !== undefined) headers['Content-Type'] = req.contentType ?? 'application/json';
    if (req.accept === 'atom') headers.Accept = 'application/atom+xml';
    const report = (status: number, resHeaders: Record<string, string>, resBody: string): void =>
      sink(orchestration(label, req.method, url, startedAt, body, status, resHeaders, resBody));
    let res: AxiosResponse<string>;
    try {
      res = await http.request<string>({ method: req.method, url, data: body, headers });
    } catch (err) {
      const timeout = axios.isAxiosError(err) && (err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT');
      const why = timeout ? `did not answer within ${opts.timeoutMs} ms` : `could not be reached (${axios.isAxiosError(err) ? err.code ?? err.message : String(err)})`;
      report(0, {}, why);
      const durationMs = Math.round(performance.now() - started);
      throw new UpstreamError(`${opts.channel} ${why}`, { channel: opts.channel, method: req.method, url: redactUrl(url), durationMs, failure: timeout ? 'timeout' : 'network', retryable: true });
    }
    const resHeaders = flatHeaders(res.headers);
    report(res.status, resHeaders, typeof res.data === 'string' ? res.data : '');
    if (opts.sessionCookie && resHeaders['set-cookie']) cookie = resHeaders['set-cookie'].split(';')[0];
    if (res.status === 401 || res.status === 403) cookie = undefined;
    return interpret<T>(opts.channel, req, url, res, resHeaders, Math.round(performance.now() - started));
  }

  return {
    channel: opts.channel,
    baseUrl: opts.baseUrl,
    async request<T>(req: UpstreamRequest, sink: OrchestrationSink = discardOrchestration): Promise<UpstreamResponse<T>> {
      const retries = req.method === 'POST' && !req.idempotent ? 0 : (opts.retries ?? 2);
      for (let n = 0; ; n++) {
        try {
          return await attempt<T>(req, sink, n === 0 ? req.name : `${req.name} (retry ${n})`);
        } catch (err) {
          if (!(err instanceof UpstreamError) || !err.retryable || n >= retries) throw err;
          const base = Math.min(5000, (opts.backoffMs ?? 250) * 2 ** n);
          const hinted = (err as UpstreamError & { retryAfterMs?: number }).retryAfterMs;
          await sleep(hinted !== undefined ? Math.min(hinted, 10_000) : Math.random() * base);
        }
      }
    },
  };
}

function absoluteUrl(http: AxiosInstance, req: UpstreamRequest): string {
  const url = new URL(/^https?:\/\//i.test(req.path) ? req.path : req.path.replace(/^\/+/, ''), http.defaults.baseURL);
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url.toString();
}

function orchestration(name: string, method: string, url: string, startedAt: Date, body: string | undefined, status: number, headers: Record<string, string>, resBody: string): Orchestration {
  const u = new URL(url);
  const querystring = u.search.replace(/^\?/, '');
  return {
    name,
    request: {
      method, url: redactUrl(`${u.origin}${u.pathname}`), timestamp: startedAt.toISOString(),
      ...(querystring ? { querystring: new URL(redactUrl(url)).search.replace(/^\?/, '') } : {}),
      ...(body !== undefined ? { body: body.slice(0, ORCHESTRATION_BODY_CHARS) } : {}),
    },
    response: {
      status, timestamp: new Date().toISOString(),
      ...(headers['content-type'] ? { headers: { 'content-type': headers['content-type'] } } : {}),
      ...(resBody ? { body: resBody.slice(0, ORCHESTRATION_BODY_CHARS) } : {}),
    },
  };
}
