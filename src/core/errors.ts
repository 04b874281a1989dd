/**
 * One error hierarchy for the whole mediator. Handlers and services only throw; each API maps
 * these to its own wire shape (OperationOutcome for FHIR, problem+json for /mpi) in one place.
 */

/** Stable error codes; each maps to one HTTP status, FHIR issue code and retry hint. */
export type ErrorCode =
  | 'invalid'
  | 'not-found'
  | 'gone'
  | 'conflict'
  | 'duplicate'
  | 'multiple-matches'
  | 'precondition-failed'
  | 'unauthorized'
  | 'forbidden'
  | 'too-large'
  | 'unsupported-media-type'
  | 'not-acceptable'
  | 'rate-limited'
  | 'not-supported'
  | 'transform-failed'
  | 'upstream-unavailable'
  | 'upstream-rejected'
  | 'unavailable'
  | 'internal';

/** How a code appears on the wire. */
export interface ErrorCodeInfo {
  httpStatus: number;
  /** FHIR IssueType code (http://hl7.org/fhir/valueset-issue-type.html). */
  issueCode: string;
  /** Whether repeating the same request later may succeed (drives OpenHIM's `error` field). */
  retryable: boolean;
  title: string;
}

export const ERROR_CODES: Readonly<Record<ErrorCode, ErrorCodeInfo>> = {
  invalid: { httpStatus: 400, issueCode: 'invalid', retryable: false, title: 'Invalid request' },
  'not-found': { httpStatus: 404, issueCode: 'not-found', retryable: false, title: 'Not found' },
  gone: { httpStatus: 410, issueCode: 'deleted', retryable: false, title: 'Gone' },
  conflict: { httpStatus: 409, issueCode: 'conflict', retryable: false, title: 'Conflict' },
  duplicate: { httpStatus: 409, issueCode: 'duplicate', retryable: false, title: 'Duplicate' },
  'multiple-matches': { httpStatus: 412, issueCode: 'multiple-matches', retryable: false, title: 'Multiple matches' },
  'precondition-failed': { httpStatus: 412, issueCode: 'conflict', retryable: false, title: 'Precondition failed' },
  unauthorized: { httpStatus: 401, issueCode: 'login', retryable: false, title: 'Unauthorized' },
  forbidden: { httpStatus: 403, issueCode: 'forbidden', retryable: false, title: 'Forbidden' },
  'too-large': { httpStatus: 413, issueCode: 'too-costly', retryable: false, title: 'Payload too large' },
  'unsupported-media-type': { httpStatus: 415, issueCode: 'not-supported', retryable: false, title: 'Unsupported media type' },
  'not-acceptable': { httpStatus: 406, issueCode: 'not-supported', retryable: false, title: 'Not acceptable' },
  'rate-limited': { httpStatus: 429, issueCode: 'throttled', retryable: true, title: 'Too many requests' },
  'not-supported': { httpStatus: 405, issueCode: 'not-supported', retryable: false, title: 'Not supported' },
  'transform-failed': { httpStatus: 422, issueCode: 'processing', retryable: false, title: 'Transform failed' },
  'upstream-unavailable': { httpStatus: 502, issueCode: 'transient', retryable: true, title: 'Upstream unavailable' },
  'upstream-rejected': { httpStatus: 502, issueCode: 'processing', retryable: false, title: 'Upstream rejected' },
  unavailable: { httpStatus: 503, issueCode: 'transient', retryable: true, title: 'Service unavailable' },
  internal: { httpStatus: 500, issueCode: 'exception', retryable: false, title: 'Internal error' },
};

/** Base class of every error the mediator raises on purpose. */
export class MediatorError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable details safe to show a client (never PII). */
  readonly details: Record<string, unknown>;

  /**
   * @param code - the stable error code
   * @param message - a client-safe explanation (no personal data)
   * @param details - machine-readable extras safe to return to the client
   */
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'MediatorError';
    this.code = code;
    this.details = details;
  }

  /** The wire information for this error's code. */
  get info(): ErrorCodeInfo {
    return ERROR_CODES[this.code];
  }
}

/** A call to an upstream system (DHIS2, OpenMRS, iHRIS, NCR, OpenHIM) failed. */
export class UpstreamError extends MediatorError {
  /**
   * @param message - client-safe summary
   * @param upstream - channel, status, url, method, durationMs and retryable flag of the failed call
   */
  constructor(
    message: string,
    readonly upstream: { channel: string; status?: number; url: string; method: string; durationMs: number; retryable: boolean },
  ) {
    super(upstream.retryable ? 'upstream-unavailable' : 'upstream-rejected', message, { channel: upstream.channel });
    this.name = 'UpstreamError';
  }
}

/** Type guard used by the error mappers. */
export function isMediatorError(err: unknown): err is MediatorError {
  return err instanceof MediatorError;
}
