/**
 * The one error shape of the MPI REST API: `application/problem+json` (RFC 9457) with a stable
 * `type` per error code; the renderer of the `/mpi` surface of the one error path (src/http/errors.ts).
 */
import type { ErrorCode } from '../core/errors';
import { ERROR_CODES } from '../core/errors';
import type { ErrorRenderer } from '../http/errors';

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
 * Render an error as a problem+json response (server errors say only their title).
 * @param err - the normalised error
 * @param _request - the failed request
 * @param h - response toolkit
 */
export const problemRenderer: ErrorRenderer = (err, _request, h) => {
  const status = err.info.httpStatus;
  const extra = err.details.problem && typeof err.details.problem === 'object' ? (err.details.problem as Record<string, unknown>) : {};
  const body: Record<string, unknown> = {
    type: problemType(err.code),
    title: err.info.title,
    status,
    detail: status >= 500 ? err.info.title : err.message,
    ...(Array.isArray(err.details.errors) ? { errors: err.details.errors } : {}),
    ...extra,
  };
  // Identities change with every decision: no browser or proxy may keep a copy, errors included.
  return h.response(body).code(status).type('application/problem+json').header('Cache-Control', 'no-store');
};
