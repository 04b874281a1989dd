// @ts-check
/**
 * Sign-in: OAuth 2.0 authorization code with PKCE (RFC 7636, S256) at the ministry's identity
 * provider. The access token lives only in this module's memory: never in localStorage, never in a
 * cookie. Only the PKCE verifier and the `state` value cross the redirect, in sessionStorage (this
 * tab only), and are deleted as soon as the provider sends the steward back.
 */

/**
 * @typedef {{ sign_in: 'none' | 'unconfigured' } | {
 *   sign_in: 'oauth', issuer: string, authorization_endpoint: string, token_endpoint: string,
 *   end_session_endpoint?: string, client_id: string, redirect_uri: string, scope: string }} PageConfig
 * @typedef {{ token: string | null, user: string, scopes: string[], expiresAt: number }} Session
 */

const PENDING = 'passerelle.steward.pkce';
/** @type {Session | null} */
let session = null;

/** An error during sign-in, with a short reason for the message. */
export class SignInError extends Error {}

/** @param {Uint8Array} bytes */
function base64url(bytes) {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** @param {number} n */
function randomString(n) {
  return base64url(crypto.getRandomValues(new Uint8Array(n)));
}

/**
 * The claims of a JWT access token, for display only (the API verifies the token).
 * @param {string} token
 * @returns {Record<string, unknown>}
 */
function claimsOf(token) {
  try {
    const part = token.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(decodeURIComponent(Array.from(json, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')));
  } catch {
    return {};
  }
}

/**
 * Go to the provider's sign-in page; come back to `returnTo` (the page's hash) afterwards.
 * @param {Extract<PageConfig, { sign_in: 'oauth' }>} cfg
 * @param {string} returnTo
 */
export async function startSignIn(cfg, returnTo) {
  const verifier = randomString(48);
  const state = randomString(16);
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, returnTo }));
  const query = new URLSearchParams({
    response_type: 'code', client_id: cfg.client_id, redirect_uri: cfg.redirect_uri, scope: cfg.scope,
    state, code_challenge: challenge, code_challenge_method: 'S256',
  });
  location.assign(`${cfg.authorization_endpoint}${cfg.authorization_endpoint.includes('?') ? '&' : '?'}${query}`);
}

/**
 * When the provider has just sent the steward back (`?code=…&state=…`), exchange the code for a
 * token. Returns the hash to show next, or null when this load is not a sign-in return.
 * @param {Extract<PageConfig, { sign_in: 'oauth' }>} cfg
 * @returns {Promise<string | null>}
 */
export async function completeSignIn(cfg) {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  sessionStorage.removeItem(PENDING);
  // The code must not stay in the address bar or the history.
  history.replaceState(null, '', `${location.pathname}${pending?.returnTo ?? '#/queue'}`);
  if (params.get('error')) throw new SignInError(params.get('error') ?? 'error');
  if (!pending || params.get('state') !== pending.state) throw new SignInError('state');
  // RFC 9207: when the provider names itself, it must be the configured one (mix-up defence).
  if (params.has('iss') && params.get('iss') !== cfg.issuer) throw new SignInError('issuer');
  const body = new URLSearchParams({
    grant_type: 'authorization_code', code: params.get('code') ?? '', redirect_uri: cfg.redirect_uri,
    client_id: cfg.client_id, code_verifier: pending.verifier,
  });
  let res;
  try {
    res = await fetch(cfg.token_endpoint, { method: 'POST', body, cache: 'no-store', credentials: 'omit', headers: { accept: 'application/json' } });
  } catch {
    throw new SignInError('network');
  }
  const tok = await res.json().catch(() => ({}));
  if (!res.ok || typeof tok.access_token !== 'string') throw new SignInError(typeof tok.error === 'string' ? tok.error : `HTTP ${res.status}`);
  const claims = claimsOf(tok.access_token);
  const scope = typeof tok.scope === 'string' ? tok.scope : typeof claims.scope === 'string' ? claims.scope : '';
  const user = /** @type {string | undefined} */ ([claims.preferred_username, claims.name, claims.sub].find((v) => typeof v === 'string' && v.length > 0));
  session = {
    token: tok.access_token, user: user ?? '', scopes: scope.split(' ').filter(Boolean),
    expiresAt: Date.now() + (Number(tok.expires_in) > 0 ? Number(tok.expires_in) * 1000 : 3_600_000),
  };
  return pending.returnTo ?? '#/queue';
}

/** A session without sign-in (AUTH_MODE=none, development only): every scope. */
export function developmentSession() {
  session = { token: null, user: 'development', scopes: ['mpi/review', 'system/Patient.read'], expiresAt: Infinity };
}

/** @returns {Session | null} the current session while it is valid */
export function currentSession() {
  return session && session.expiresAt > Date.now() ? session : null;
}

/** @returns {string | null} the bearer token */
export function accessToken() {
  return currentSession()?.token ?? null;
}

/**
 * @param {string} scope
 * @returns {boolean} whether the session's token carries the scope
 */
export function hasScope(scope) {
  const granted = currentSession()?.scopes ?? [];
  const m = /^system\/(\w+)\.(read|write)$/.exec(scope);
  const wildcards = m ? [`system/${m[1]}.*`, `system/*.${m[2]}`, 'system/*.*'] : [];
  return [scope, ...wildcards].some((s) => granted.includes(s));
}

/** Forget the token (sign-out, or the API said it is no longer valid). */
export function endSession() {
  session = null;
}
