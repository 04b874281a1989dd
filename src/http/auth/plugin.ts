/**
 * The auth plugin: on every request, before the payload is read, identify the caller (bearer JWT,
 * or OpenHIM's client id when trusted), count the request against its rate budget, then check the
 * route's declared scope. Routes without a declaration are denied (fail closed). Errors are thrown as
 * MediatorError so each API renders them in its own shape; the headers that must survive any
 * renderer (`WWW-Authenticate`, `X-RateLimit-*`, `Retry-After`) are set on the raw response.
 */
import type { Plugin, Request, ResponseToolkit } from '@hapi/hapi';
import { MediatorError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { RateDecision, RateLimiter } from '../rate-limit';
import { openhimPrincipal } from './openhim';
import type { OpenhimTrustOptions } from './openhim';
import { grants } from './scopes';
import { registerTokenRoutes } from './token-endpoint';
import type { TokenEndpointDeps } from './token-endpoint';
import { SCOPES } from './types';
import type { Principal } from './types';
import type { AccessTokenVerifier } from './verifier';

/** Options of {@link authPlugin}. */
export interface AuthOptions {
  /** `none` (development only) gives every request every scope. */
  mode: 'jwt' | 'none';
  verifier: AccessTokenVerifier;
  rateLimiter: RateLimiter;
  /** Registers `/oauth2/token` and `/.well-known/jwks.json` when set. */
  tokenEndpoint?: TokenEndpointDeps;
  /** Trust OpenHIM's client id header (OPENHIM_TRUST_CLIENT_HEADER). */
  openhim?: OpenhimTrustOptions;
  logger: Logger;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;
const DEV_PRINCIPAL: Principal = { clientId: 'development', scopes: [...SCOPES], via: 'development' };

/**
 * Set a header on the raw response so it survives whichever error renderer builds the final body.
 * @param request - the hapi request
 * @param name - header name
 * @param value - header value
 */
export function setTransportHeader(request: Request, name: string, value: string): void {
  const res = request.raw.res;
  if (!res.headersSent) res.setHeader(name, value);
}

function unauthorized(request: Request, invalidToken: boolean): MediatorError {
  setTransportHeader(request, 'WWW-Authenticate', invalidToken ? 'Bearer realm="passerelle", error="invalid_token"' : 'Bearer realm="passerelle"');
  return new MediatorError('unauthorized', 'The access token is missing, invalid or expired');
}

async function identify(request: Request, opts: AuthOptions): Promise<Principal | MediatorError> {
  if (opts.mode === 'none') return DEV_PRINCIPAL;
  const header = request.headers.authorization;
  // Without a bearer token, only OpenHIM's proof of origin (a route's Basic credentials) can identify the caller.
  if (header === undefined || (opts.openhim && typeof header === 'string' && /^Basic /i.test(header))) {
    const viaOpenhim = opts.openhim ? await openhimPrincipal(request, opts.openhim) : null;
    return viaOpenhim ?? unauthorized(request, header !== undefined);
  }
  const m = typeof header === 'string' ? BEARER.exec(header) : null;
  if (!m?.[1]) return unauthorized(request, true);
  try {
    return await opts.verifier.verify(m[1]);
  } catch {
    return unauthorized(request, true);
  }
}

function applyRate(request: Request, decision: RateDecision): void {
  setTransportHeader(request, 'X-RateLimit-Limit', String(decision.limit));
  setTransportHeader(request, 'X-RateLimit-Remaining', String(decision.remaining));
  setTransportHeader(request, 'X-RateLimit-Reset', String(decision.resetSeconds));
  if (decision.allowed) return;
  setTransportHeader(request, 'Retry-After', String(decision.retryAfterSeconds));
  throw new MediatorError('rate-limited', 'Too many requests; retry later', { retryAfterSeconds: decision.retryAfterSeconds });
}

async function authenticate(request: Request, h: ResponseToolkit, opts: AuthOptions): Promise<symbol> {
  const security = request.route.settings.plugins?.passerelle;
  const caller = request.app.caller;
  if (security?.public === true) {
    applyRate(request, opts.rateLimiter.consume(`ip:${request.info.remoteAddress}`));
    return h.continue;
  }
  const who = await identify(request, opts);
  const principal = who instanceof MediatorError ? null : who;
  applyRate(request, opts.rateLimiter.consume(principal ? `client:${principal.clientId}` : `ip:${request.info.remoteAddress}`));
  if (!principal) throw who as MediatorError;
  caller.actor = { clientId: principal.clientId, userId: principal.userId, address: request.info.remoteAddress, transactionId: caller.transactionId };
  caller.scopes = principal.scopes;
  // Unknown paths (hapi's notFound route) answer 404 to authenticated callers.
  if ((request.route.method as string) === '_special') return h.continue;
  if (!security?.scope || !grants(principal.scopes, security.scope)) {
    setTransportHeader(request, 'WWW-Authenticate', `Bearer realm="passerelle", error="insufficient_scope"`);
    throw new MediatorError('forbidden', 'The access token does not grant access to this resource');
  }
  return h.continue;
}

export const authPlugin: Plugin<AuthOptions> = {
  name: 'passerelle-auth',
  register(server, opts) {
    if (opts.mode === 'none') opts.logger.warn('AUTH_MODE=none: every request has every scope (development only)');
    server.ext('onPreAuth', (request, h) => authenticate(request, h, opts));
    if (opts.tokenEndpoint) registerTokenRoutes(server, opts.tokenEndpoint);
  },
};
