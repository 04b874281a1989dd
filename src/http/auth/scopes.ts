/**
 * Scope checks. Tokens carry space-separated scopes; SMART wildcards are honoured
 * (`system/Patient.*` grants read and write, `system/*.read` grants every read).
 */
import type { Scope } from './types';

/**
 * Parse the scope claim of a token (`scope` string per RFC 8693/9068, or `scp` array).
 * @param claims - the verified JWT payload
 */
export function scopesOf(claims: Record<string, unknown>): string[] {
  const raw = claims.scope ?? claims.scp;
  const list = typeof raw === 'string' ? raw.split(' ') : Array.isArray(raw) ? raw : [];
  return list.filter((s): s is string => typeof s === 'string' && s.length > 0 && s.length <= 128);
}

/**
 * True when the granted scopes satisfy the required one.
 * @param granted - the caller's scopes
 * @param required - the route's scope
 */
export function grants(granted: readonly string[], required: Scope): boolean {
  if (granted.includes(required)) return true;
  const m = /^system\/([A-Za-z]+)\.(read|write)$/.exec(required);
  if (!m) return false;
  const [, resource, mode] = m;
  return granted.includes(`system/${resource}.*`) || granted.includes(`system/*.${mode}`) || granted.includes('system/*.*');
}

/**
 * Narrow a requested scope list to what a client is allowed; null when something is not allowed.
 * @param requested - space-separated scopes from the token request (empty: all allowed ones)
 * @param allowed - the client's registered scopes
 */
export function narrowScopes(requested: string | undefined, allowed: readonly string[]): string[] | null {
  if (!requested || requested.trim() === '') return [...allowed];
  const wanted = [...new Set(requested.split(' ').filter(Boolean))];
  return wanted.every((s) => allowed.includes(s)) ? wanted : null;
}
