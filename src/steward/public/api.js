// @ts-check
/**
 * Calls to Passerelle's MPI REST API with the steward's token. Nothing is cached: every read asks
 * the server again (`cache: 'no-store'`), so no stale identity is shown after a decision.
 */

/** An API answer that is not 2xx; `problem` is the problem+json body. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {any} problem
   */
  constructor(status, problem) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** @type {() => string | null} */
let tokenOf = () => null;
/** @type {() => void} */
let onExpired = () => {};

/**
 * Where the token comes from, and what to do when the API says it is no longer valid.
 * @param {() => string | null} getToken
 * @param {() => void} expired
 */
export function configureApi(getToken, expired) {
  tokenOf = getToken;
  onExpired = expired;
}

/**
 * Call the API.
 * @param {string} path - e.g. `mpi/reviews?state=open` (relative to Passerelle's base)
 * @param {{ method?: string, body?: unknown, ifMatch?: string }} [opts]
 * @returns {Promise<{ data: any, etag: string | null }>}
 */
export async function api(path, opts = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  const token = tokenOf();
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.ifMatch) headers['if-match'] = opts.ifMatch;
  let res;
  try {
    res = await fetch(new URL(`../${path}`, import.meta.url), {
      method: opts.method ?? 'GET', headers, cache: 'no-store', credentials: 'omit',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
  } catch {
    throw new ApiError(0, null);
  }
  const data = await res.json().catch(() => null);
  if (res.status === 401) onExpired();
  if (!res.ok) throw new ApiError(res.status, data);
  return { data, etag: res.headers.get('etag') };
}

/**
 * Encode one path segment.
 * @param {string} s
 */
export function seg(s) {
  return encodeURIComponent(s);
}
