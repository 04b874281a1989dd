/**
 * Normalise any thrown value to a MediatorError, and render it as a FHIR OperationOutcome.
 * Unknown errors become a 500 without internals; Boom errors keep their status.
 */
import type { OperationOutcome } from 'fhir/r4';
import { ERROR_CODES, MediatorError, isMediatorError } from './errors';
import type { ErrorCode } from './errors';

const STATUS_TO_CODE: Record<number, ErrorCode> = {
  400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 404: 'not-found', 405: 'not-supported',
  406: 'not-acceptable', 409: 'conflict', 410: 'gone', 412: 'precondition-failed', 413: 'too-large',
  415: 'unsupported-media-type', 422: 'transform-failed', 429: 'rate-limited', 502: 'upstream-unavailable',
  503: 'unavailable',
};

interface BoomLike {
  isBoom: true;
  output: { statusCode: number; payload: { message?: string } };
  message: string;
}

function isBoom(err: unknown): err is BoomLike {
  return typeof err === 'object' && err !== null && (err as { isBoom?: unknown }).isBoom === true;
}

/**
 * Turn any thrown value into a MediatorError whose message is safe to show a client.
 * @param err - what a handler threw (MediatorError, Boom, or anything)
 */
export function normaliseError(err: unknown): MediatorError {
  if (isMediatorError(err)) return err;
  if (isBoom(err)) {
    const status = err.output.statusCode;
    const code = STATUS_TO_CODE[status] ?? (status >= 500 ? 'internal' : 'invalid');
    // Boom 5xx messages can carry internals; show only our title for them.
    const message = status >= 500 ? ERROR_CODES[code].title : (err.output.payload.message ?? err.message);
    return new MediatorError(code, message);
  }
  return new MediatorError('internal', 'An unexpected error occurred');
}

/**
 * The FHIR OperationOutcome for an error.
 * @param err - a normalised error
 */
export function toOperationOutcome(err: MediatorError): OperationOutcome {
  const issues = Array.isArray(err.details.issues) ? (err.details.issues as OperationOutcome['issue']) : [];
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: err.code === 'internal' ? 'fatal' : 'error',
        code: err.info.issueCode as OperationOutcome['issue'][number]['code'],
        diagnostics: err.message,
        ...(typeof err.details.expression === 'string' ? { expression: [err.details.expression] } : {}),
      },
      ...issues,
    ],
  };
}

/**
 * A one-issue informational OperationOutcome (e.g. for successful deletes).
 * @param severity - issue severity
 * @param code - FHIR issue type code
 * @param diagnostics - text
 */
export function simpleOutcome(
  severity: 'information' | 'warning' | 'error',
  code: OperationOutcome['issue'][number]['code'],
  diagnostics: string,
): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}
