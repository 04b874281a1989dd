/**
 * ETags and If-Match, the same on both API surfaces (FHIR and the MPI REST API). A record's ETag is
 * its version, weak (`W/"3"`). The version an If-Match asks for is handed to the registry, which
 * refuses a stale one atomically with the change (412); the APIs never compare versions themselves.
 */
import { MediatorError } from '../core/errors';

/**
 * The weak ETag of a version.
 * @param version - a record version
 */
export function etag(version: number | string): string {
  return `W/"${version}"`;
}

/**
 * The version an `If-Match` header asks for (`W/"3"`, `"3"` or `3`); undefined when absent.
 * @param header - the If-Match header value
 * @throws MediatorError 'precondition-failed' when it is not an ETag of a version (it can match nothing)
 */
export function ifMatchVersion(header: unknown): number | undefined {
  if (header === undefined || header === null) return undefined;
  const m = typeof header === 'string' ? /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim()) : null;
  if (!m?.[1]) throw new MediatorError('precondition-failed', 'If-Match must be an ETag such as W/"3"');
  return Number(m[1]);
}
