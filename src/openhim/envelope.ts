/**
 * The OpenHIM transaction envelope (`application/json+openhim`, openhim.md §5): the one place that
 * builds it. Core stores what it finds here as the transaction: the response it passes to the client
 * (body as a string: an object would be stored as "[object Object]"), one orchestration per upstream
 * call, searchable properties, the status (which replaces Core's own calculation verbatim) and
 * `error` — which makes Core retry the transaction when the channel allows it, so it is set only for
 * failures a later retry can fix.
 */
import type { Orchestration } from '../core/orchestration';

/** The media type Core looks for (it matches with indexOf, so parameters are fine). */
export const OPENHIM_CONTENT_TYPE = 'application/json+openhim';

/** Core's transaction statuses a mediator may set (Core adds Processing and Pending Async itself). */
export type TransactionStatus = 'Successful' | 'Completed' | 'Completed with error(s)' | 'Failed';

export const TRANSACTION_STATUSES: readonly TransactionStatus[] = ['Successful', 'Completed', 'Completed with error(s)', 'Failed'];

/** Core truncates stored bodies to this many characters (api.truncateSize). */
export const CORE_BODY_LIMIT = 15_000;
const TRUNCATED = '\n[truncated ...]';

/** A request or response as Core records it. */
export interface EnvelopeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  timestamp: string;
}

/** One upstream call as Core records it (core transactions model, orchestrationDef). */
export interface OpenhimOrchestration {
  name: string;
  request: { host: string; port: string; path: string; querystring: string; method: string; headers: Record<string, string>; body: string; timestamp: string };
  response?: EnvelopeResponse;
  error?: { message: string };
}

/** The envelope. */
export interface OpenhimEnvelope {
  'x-mediator-urn': string;
  status: TransactionStatus;
  response: EnvelopeResponse;
  orchestrations: OpenhimOrchestration[];
  properties: Record<string, string>;
  error?: { message: string };
}

/** Why a request failed, when the failure was an error Passerelle raised. */
export interface FailureCause {
  message: string;
  /** Whether the same request later may succeed (the error table's `retryable`). */
  retryable: boolean;
}

export interface EnvelopeInput {
  urn: string;
  response: EnvelopeResponse;
  orchestrations: readonly Orchestration[];
  properties?: Record<string, string>;
  failure?: FailureCause;
  /** Identity events of this request wait in the outbox because Kafka does not take them now. */
  eventsDelayed?: boolean;
}

/** Statuses that mean "try again later" when no error object says otherwise. */
const RETRYABLE_STATUSES = new Set([429, 503, 504]);

/**
 * Whether an upstream call failed (no answer, or a 5xx): the request may still have been served.
 * @param o - an orchestration
 */
export function orchestrationFailed(o: Orchestration): boolean {
  return !(o.response.status > 0) || o.response.status >= 500;
}

/**
 * Core's status for a response, with Core's meanings (§5.2–5.3): Failed when Passerelle could not
 * serve the request, Completed for a client error, Completed with error(s) when it was served but an
 * upstream call failed or its events wait for Kafka, Successful otherwise.
 * @param input - the response and what happened while serving it
 */
export function transactionStatus(input: Pick<EnvelopeInput, 'response' | 'orchestrations' | 'failure' | 'eventsDelayed'>): TransactionStatus {
  const status = input.response.status;
  if (isRetryable(input) || status >= 500) return 'Failed';
  if (status >= 400) return 'Completed';
  if (input.eventsDelayed || input.orchestrations.some(orchestrationFailed)) return 'Completed with error(s)';
  return 'Successful';
}

function isRetryable(input: Pick<EnvelopeInput, 'response' | 'failure'>): boolean {
  return input.failure ? input.failure.retryable : RETRYABLE_STATUSES.has(input.response.status);
}

/**
 * Build the envelope of one response.
 * @param input - URN, the response as the client would get it, orchestrations, properties, failure
 */
export function buildEnvelope(input: EnvelopeInput): OpenhimEnvelope {
  const envelope: OpenhimEnvelope = {
    'x-mediator-urn': input.urn,
    status: transactionStatus(input),
    response: input.response,
    orchestrations: input.orchestrations.map(toOpenhimOrchestration),
    properties: input.properties ?? {},
  };
  if (isRetryable(input)) envelope.error = { message: input.failure?.message ?? `HTTP ${input.response.status}` };
  return envelope;
}

/**
 * One orchestration in Core's shape: the URL split into host, port, path and query; credentials in
 * headers, URL or query replaced; bodies cut to what Core keeps.
 * @param o - an orchestration as channels report it
 */
export function toOpenhimOrchestration(o: Orchestration): OpenhimOrchestration {
  const url = parseUrl(o.request.url);
  const answered = o.response.status > 0;
  return {
    name: o.name.trim() || 'upstream call',
    request: {
      host: url.hostname,
      port: url.port || (url.protocol === 'https:' ? '443' : '80'),
      path: url.pathname,
      querystring: redactQuery(o.request.querystring ?? url.search.replace(/^\?/, '')),
      method: o.request.method.toUpperCase(),
      headers: redactHeaders(o.request.headers),
      body: truncate(o.request.body ?? ''),
      timestamp: o.request.timestamp,
    },
    ...(answered
      ? { response: { status: o.response.status, headers: redactHeaders(o.response.headers), body: truncate(o.response.body ?? ''), timestamp: o.response.timestamp } }
      : { error: { message: o.response.body || 'no response' } }),
  };
}

function parseUrl(raw: string): URL {
  try {
    return new URL(raw);
  } catch {
    return new URL(`http://unknown${raw.startsWith('/') ? '' : '/'}${raw}`);
  }
}

const SECRET_NAME = /authorization|cookie|token|secret|password|passwd|api-?key|session/i;

/**
 * Headers without credentials (their names stay, so the log shows that one was sent).
 * @param headers - request or response headers
 */
export function redactHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k] = SECRET_NAME.test(k) ? '[redacted]' : v;
  return out;
}

function redactQuery(query: string): string {
  const params = new URLSearchParams(query);
  const secret = [...params.keys()].filter((k) => SECRET_NAME.test(k));
  if (secret.length === 0) return query;
  for (const key of secret) params.set(key, '[redacted]');
  return params.toString();
}

function truncate(body: string): string {
  return body.length <= CORE_BODY_LIMIT ? body : body.slice(0, CORE_BODY_LIMIT) + TRUNCATED;
}
