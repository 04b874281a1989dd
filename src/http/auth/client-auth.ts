/**
 * Client authentication at the token endpoint (RFC 6749 §2.3, RFC 7523): `client_secret_basic`,
 * `client_secret_post` and `private_key_jwt`. Every failure is the same `invalid_client` answer, and
 * an unknown client costs the same scrypt work as a wrong secret.
 */
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { ClientRecord, ClientStore } from './clients';
import { DUMMY_HASH, verifySecret } from './secrets';

export const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** An OAuth 2.0 error response (RFC 6749 §5.2). */
export class OAuthError extends Error {
  /**
   * @param status - HTTP status
   * @param error - the RFC 6749 error code
   * @param description - a client-safe description
   */
  constructor(readonly status: number, readonly error: string, description: string) {
    super(description);
    this.name = 'OAuthError';
  }
}

/** The credentials a token request presented. */
export interface PresentedCredentials {
  clientId?: string;
  secret?: string;
  assertion?: string;
}

export interface ClientAuthDeps {
  clients: ClientStore;
  /** Accepted `aud` values of client assertions (the token endpoint URL and the issuer). */
  assertionAudiences: string[];
  algorithms: string[];
  /** Remembers assertion `jti`s until they expire (replay protection). */
  seenJti: Map<string, number>;
}

const invalidClient = (): OAuthError => new OAuthError(401, 'invalid_client', 'Client authentication failed');

/**
 * Extract client credentials from the Authorization header and form body.
 * @param authorization - the Authorization header, if any
 * @param form - the parsed form body
 */
export function presentedCredentials(authorization: string | undefined, form: Record<string, string | undefined>): PresentedCredentials {
  if (authorization?.startsWith('Basic ')) {
    const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i < 0) throw invalidClient();
    return { clientId: decodeURIComponent(decoded.slice(0, i)), secret: decodeURIComponent(decoded.slice(i + 1)) };
  }
  if (form.client_assertion !== undefined) {
    if (form.client_assertion_type !== ASSERTION_TYPE) throw new OAuthError(400, 'invalid_request', 'Unsupported client_assertion_type');
    return { clientId: form.client_id, assertion: form.client_assertion };
  }
  return { clientId: form.client_id, secret: form.client_secret };
}

/**
 * Authenticate a client; throws OAuthError(invalid_client) on any failure.
 * @param creds - what the request presented
 * @param deps - client store, accepted audiences, algorithms, replay cache
 */
export async function authenticateClient(creds: PresentedCredentials, deps: ClientAuthDeps): Promise<ClientRecord> {
  if (creds.assertion !== undefined) return authenticateAssertion(creds.assertion, creds.clientId, deps);
  const id = creds.clientId ?? '';
  const client = /^[A-Za-z0-9._-]{1,100}$/.test(id) ? await deps.clients.get(id) : null;
  const usable = client?.status === 'active' && client.authMethod === 'client_secret' && client.secretHash ? client : null;
  const ok = await verifySecret(creds.secret ?? '', usable?.secretHash ?? DUMMY_HASH);
  if (!usable || !ok) throw invalidClient();
  return usable;
}

async function authenticateAssertion(assertion: string, formClientId: string | undefined, deps: ClientAuthDeps): Promise<ClientRecord> {
  let claimed: string | undefined;
  try {
    const c = decodeJwt(assertion);
    claimed = c.sub && c.sub === c.iss ? c.sub : undefined;
  } catch {
    throw invalidClient();
  }
  if (!claimed || (formClientId !== undefined && formClientId !== claimed)) throw invalidClient();
  const client = await deps.clients.get(claimed);
  if (!client || client.status !== 'active' || client.authMethod !== 'private_key_jwt' || !client.jwks) throw invalidClient();
  try {
    const { payload } = await jwtVerify(assertion, createLocalJWKSet(client.jwks), {
      issuer: client.clientId, subject: client.clientId, audience: deps.assertionAudiences,
      algorithms: deps.algorithms, requiredClaims: ['exp', 'jti'], maxTokenAge: '10m', clockTolerance: 30,
    });
    rememberJti(deps.seenJti, `${client.clientId}|${String(payload.jti)}`, payload.exp ?? 0);
  } catch {
    throw invalidClient();
  }
  return client;
}

function rememberJti(seen: Map<string, number>, key: string, exp: number): void {
  const now = Date.now() / 1000;
  if (seen.size > 50_000) for (const [k, e] of seen) if (e < now) seen.delete(k);
  if (seen.has(key)) throw invalidClient();
  seen.set(key, exp + 60);
}
