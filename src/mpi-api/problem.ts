/**
 * The one error shape of the MPI REST API: `application/problem+json` (RFC 9457) with a stable
 * `type` per error code. Applied in one onPreResponse for every path under the API's prefixes.
 */
import type { Request, ResponseObject, ResponseToolkit, Server } from '@hapi/hapi';
import type { ErrorCode } from '../core/errors';
import { ERROR_CODES } from '../core/errors';
import type { Logger } from '../core/logger';
import { normaliseError } from '../core/outcome';

export const PROBLEM_TYPE_BASE = 'urn:passerelle:problem:';

/**
 * The stable `type` URI of an error code.
 * @param code - the MediatorError code (or `duplicate-detected`)
 */
export function problemType(code: ErrorCode | 'duplicate-detected'): string {
  return `${PROBLEM_TYPE_BASE}${code}`;
}

/** Every problem type this API can answer with, for the documentation. */
export function problemCatalogue(): Array<{ type: string; status: number; title: string }> {
  const rows = Object.entries(ERROR_CODES).map(([code, info]) => ({ type: problemType(code as ErrorCode), status: info.httpStatus, title: info.title }));
  return [...rows, { type: problemType('duplicate-detected'), status: 409, title: 'Likely duplicate' }];
}

/**
 * Render a thrown value as a problem+json response.
 * @param request - the failed request
 * @param h - response toolkit
 * @param thrown - the error
 * @param logger - where 5xx are logged (redacted)
 */
export function problemResponse(request: Request, h: ResponseToolkit, thrown: unknown, logger: Logger): ResponseObject {
  const err = normaliseError(thrown);
  const status = err.info.httpStatus;
  if (status >= 500) logger.error({ err: thrown, route: request.route.path }, 'request failed');
  const extra = err.details.problem && typeof err.details.problem === 'object' ? (err.details.problem as Record<string, unknown>) : {};
  const body: Record<string, unknown> = {
    type: problemType(err.code),
    title: err.info.title,
    status,
    detail: status >= 500 ? err.info.title : err.message,
    ...(Array.isArray(err.details.errors) ? { errors: err.details.errors } : {}),
    ...extra,
  };
  const r = h.response(body).code(status).type('application/problem+json').header('Cache-Control', 'no-store');
  const retryAfter = err.details.retryAfterSeconds;
  if (typeof retryAfter === 'number') r.header('Retry-After', String(retryAfter));
  return r;
}

/**
 * Install the problem+json mapper for paths under the given prefixes.
 * @param server - the hapi server (inside the MPI API plugin)
 * @param prefixes - path prefixes this mapper owns (e.g. `/mpi`)
 * @param logger - for 5xx
 */
export function installProblemMapper(server: Server, prefixes: string[], logger: Logger): void {
  server.ext('onPreResponse', (request, h) => {
    const response = request.response;
    if (!(response instanceof Error)) return h.continue;
    if (!prefixes.some((p) => request.path === p || request.path.startsWith(`${p}/`))) return h.continue;
    return problemResponse(request, h, response, logger);
  });
}
