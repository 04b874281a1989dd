/**
 * `POST /oauth2/token` (client_credentials) and `GET /.well-known/jwks.json`. Errors use the OAuth 2.0
 * shape (RFC 6749 §5.2) that OAuth clients expect; repeated failures are throttled per client id
 * and per address.
 */
import type { Request, ResponseObject, ResponseToolkit, Server } from '@hapi/hapi';
import type { FailureThrottle } from '../rate-limit';
import { OAuthError, authenticateClient, presentedCredentials } from './client-auth';
import type { ClientAuthDeps } from './client-auth';
import type { TokenIssuer } from './issuer';
import { narrowScopes } from './scopes';

export interface TokenEndpointDeps extends ClientAuthDeps {
  issuer: TokenIssuer;
  throttle: FailureThrottle;
}

type Form = Record<string, string | undefined>;

function formOf(request: Request): Form {
  const p = request.payload;
  if (!p || typeof p !== 'object') throw new OAuthError(400, 'invalid_request', 'Expected an application/x-www-form-urlencoded body');
  const out: Form = {};
  for (const [k, v] of Object.entries(p as Record<string, unknown>)) {
    if (typeof v !== 'string') throw new OAuthError(400, 'invalid_request', 'Each parameter must appear once');
    out[k] = v;
  }
  return out;
}

function oauthError(h: ResponseToolkit, err: OAuthError, retryAfter?: number): ResponseObject {
  const r = h.response({ error: err.error, error_description: err.message }).code(err.status).header('Cache-Control', 'no-store');
  if (err.status === 401) r.header('WWW-Authenticate', 'Basic realm="passerelle"');
  if (retryAfter !== undefined) r.header('Retry-After', String(retryAfter));
  return r;
}

async function issueToken(request: Request, deps: TokenEndpointDeps, keys: string[]): Promise<ResponseObject | object> {
  const form = formOf(request);
  if (form.grant_type !== 'client_credentials') throw new OAuthError(400, 'unsupported_grant_type', 'Only client_credentials is supported');
  const creds = presentedCredentials(typeof request.headers.authorization === 'string' ? request.headers.authorization : undefined, form);
  if (creds.clientId) keys.push(`client:${creds.clientId.slice(0, 100)}`);
  const wait = deps.throttle.blockedFor(keys);
  if (wait > 0) throw Object.assign(new OAuthError(429, 'slow_down', 'Too many failed attempts; retry later'), { retryAfter: wait });
  const client = await authenticateClient(creds, deps);
  const scopes = narrowScopes(form.scope, client.scopes);
  if (!scopes) throw new OAuthError(400, 'invalid_scope', 'A requested scope is not allowed for this client');
  deps.throttle.succeed([`client:${client.clientId}`]);
  request.app.caller.actor = { clientId: client.clientId, address: request.info.remoteAddress, transactionId: request.app.caller.transactionId };
  return deps.issuer.issue(client.clientId, scopes);
}

/**
 * Register the token and JWKS routes.
 * @param server - the hapi server (inside the auth plugin)
 * @param deps - client authentication, issuer and failure throttle
 */
export function registerTokenRoutes(server: Server, deps: TokenEndpointDeps): void {
  server.route({
    method: 'POST',
    path: '/oauth2/token',
    options: {
      auth: false,
      plugins: { passerelle: { public: true, audit: 'oauth.token' } },
      payload: { allow: 'application/x-www-form-urlencoded', maxBytes: 16 * 1024 },
    },
    handler: async (request, h) => {
      const keys = [`ip:${request.info.remoteAddress}`];
      try {
        const issued = await issueToken(request, deps, keys);
        return h.response(issued).header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
      } catch (err) {
        if (!(err instanceof OAuthError)) throw err;
        if (err.status === 401 || err.error === 'invalid_scope') deps.throttle.fail(keys);
        return oauthError(h, err, (err as OAuthError & { retryAfter?: number }).retryAfter);
      }
    },
  });
  server.route({
    method: 'GET',
    path: '/.well-known/jwks.json',
    options: { auth: false, plugins: { passerelle: { public: true, audit: false } } },
    handler: (_request, h) => h.response(deps.issuer.jwks()).header('Cache-Control', 'public, max-age=300'),
  });
}
