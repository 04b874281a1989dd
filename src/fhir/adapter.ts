/**
 * The one hapi adapter: hapi request → `FhirRequest`, handler → response with the status from the
 * outcome, negotiated format and handler headers; plus the `/fhir` error surface (OperationOutcome).
 */
import type { Request, ResponseObject, ResponseToolkit } from '@hapi/hapi';
import type { OperationOutcomeIssue } from 'fhir/r4';
import type { Actor } from '../core/types';
import { toOperationOutcome } from '../core/outcome';
import type { ErrorRenderer, ErrorSurface } from '../http/errors';
import { actorOf } from '../http/request-context';
import { contentTypeOf, negotiate } from './format';
import type { FhirFormats, Format } from './format';
import { getStatus } from './outcomes';
import type { FhirRoute } from './router';
import type { FhirContext, FhirRequest, HttpMethod } from './types';

const STRIPPED = new Set(['_format', '_pretty']);

function queryOf(raw: Record<string, unknown>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (STRIPPED.has(k)) continue;
    out[k] = (Array.isArray(v) ? v : [v]).map((x) => String(x));
  }
  return out;
}

function header(request: Request, name: string): string | undefined {
  const v = request.headers[name];
  return typeof v === 'string' ? v : undefined;
}

function formatOf(request: Request): Format {
  const f = request.query._format;
  return negotiate(header(request, 'accept'), Array.isArray(f) ? String(f[0]) : typeof f === 'string' ? f : undefined);
}

function toFhirRequest(request: Request, prefix: string, formats: FhirFormats): FhirRequest {
  const query = queryOf(request.query);
  const contentType = header(request, 'content-type');
  const raw = request.payload as Buffer | undefined;
  let body: unknown;
  if (raw && raw.length > 0 && contentType?.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) if (!STRIPPED.has(k)) (query[k] ??= []).push(v);
  } else if (raw && raw.length > 0) {
    body = formats.parse(raw, contentType);
  }
  const actor: Actor = request.app.caller ? actorOf(request) : { clientId: 'anonymous' };
  return {
    method: request.method.toUpperCase() as HttpMethod,
    path: request.path.slice(prefix.length).replace(/^\//, ''),
    params: request.params as Record<string, string>,
    query, body, contentType, actor,
    ifMatch: header(request, 'if-match'),
    ifNoneExist: header(request, 'if-none-exist'),
    prefer: header(request, 'prefer'),
    scopes: request.app.caller?.scopes,
    ...(request.app.caller ? { orchestrations: (o) => request.app.caller.orchestrations.push(o) } : {}),
  };
}

/**
 * Run a route's handler for a hapi request.
 * @param route - the FHIR route
 * @param api - handler context
 * @param formats - (de)serialiser
 * @param prefix - the API prefix (`/fhir`)
 */
export function adapt(route: FhirRoute, api: FhirContext, formats: FhirFormats, prefix: string) {
  return async (request: Request, h: ResponseToolkit): Promise<ResponseObject> => {
    const format = formatOf(request);
    const [outcome, resource, headers] = await route.handler(toFhirRequest(request, prefix, formats), api);
    const status = getStatus(outcome);
    const res = status === 204 ? h.response().code(204) : h.response(formats.render(resource ?? outcome, format)).code(status).type(contentTypeOf(format));
    for (const [k, v] of Object.entries(headers ?? {})) res.header(k, v);
    return res;
  };
}

/**
 * The `/fhir` error surface: every error of a `/fhir` request as an OperationOutcome, in the negotiated
 * format (JSON when the request's own format cannot be negotiated).
 * @param formats - (de)serialiser
 * @param prefix - the API prefix (`/fhir`)
 */
export function fhirErrorSurface(formats: FhirFormats, prefix = '/fhir'): ErrorSurface {
  const render: ErrorRenderer = (err, request, h) => {
    let format: Format = 'json';
    try {
      format = formatOf(request);
    } catch {
      format = 'json';
    }
    const outcome = toOperationOutcome(err);
    const issueCode = err.details.issueCode;
    if (typeof issueCode === 'string' && outcome.issue[0]) outcome.issue[0].code = issueCode as OperationOutcomeIssue['code'];
    // JSON stays an object until hapi writes it, so in-process callers (server.inject) read `result` as the OperationOutcome.
    return h.response(format === 'json' ? outcome : formats.render(outcome, format)).code(err.info.httpStatus).type(contentTypeOf(format));
  };
  return { prefix, render };
}
