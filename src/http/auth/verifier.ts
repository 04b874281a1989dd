/**
 * Bearer token verification. The issuer is read (unverified) only to choose which trusted key set
 * to verify against; jose then checks signature, `alg` against the allow-list, `iss`, `aud`, `exp`
 * and `nbf` (with a small clock skew). Verified tokens are cached until they expire so repeated
 * requests do not pay for the signature check again; the cache is keyed by the full token string,
 * so a tampered token never hits it.
 */
import { decodeJwt, jwtVerify } from 'jose';
import type { CryptoKey, JWTPayload, JWTVerifyGetKey } from 'jose';
import { MediatorError } from '../../core/errors';
import type { Clock } from '../../core/types';
import { systemClock } from '../../core/types';
import { scopesOf } from './scopes';
import type { Principal } from './types';

/** One trusted issuer: its key(s), expected audience and accepted algorithms. */
export interface TrustedIssuer {
  issuer: string;
  audience: string | string[];
  keys: JWTVerifyGetKey | CryptoKey;
  algorithms: string[];
  /** Required `typ` header (Passerelle's own tokens are `at+jwt`, RFC 9068). */
  typ?: string;
}

export interface VerifierOptions {
  issuers: TrustedIssuer[];
  clockToleranceSec?: number;
  /** Maximum number of verified tokens kept. */
  cacheSize?: number;
  clock?: Clock;
}

const GENERIC = 'The access token is missing, invalid or expired';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Verifies bearer tokens and turns them into principals. */
export class AccessTokenVerifier {
  private readonly cache = new Map<string, Principal>();
  private readonly tolerance: number;
  private readonly cacheSize: number;
  private readonly clock: Clock;

  /**
   * @param opts - trusted issuers, clock skew, cache size
   */
  constructor(private readonly opts: VerifierOptions) {
    this.tolerance = opts.clockToleranceSec ?? 30;
    this.cacheSize = opts.cacheSize ?? 10_000;
    this.clock = opts.clock ?? systemClock;
  }

  /**
   * Verify a compact JWS; throws MediatorError('unauthorized') with a generic message on any failure.
   * @param token - the bearer token
   */
  async verify(token: string): Promise<Principal> {
    const nowSec = Math.floor(this.clock.now().getTime() / 1000);
    const cached = this.cache.get(token);
    if (cached && (cached.expiresAt ?? 0) + this.tolerance > nowSec) return cached;
    if (cached) this.cache.delete(token);
    if (token.length > 8192 || !TOKEN_SHAPE.test(token)) throw new MediatorError('unauthorized', GENERIC);
    const payload = await this.verifySignature(token);
    const principal = toPrincipal(payload);
    this.remember(token, principal);
    return principal;
  }

  private async verifySignature(token: string): Promise<JWTPayload> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      throw new MediatorError('unauthorized', GENERIC);
    }
    const trusted = this.opts.issuers.find((i) => i.issuer === iss);
    if (!trusted) throw new MediatorError('unauthorized', GENERIC);
    try {
      const { payload } = await jwtVerify(token, trusted.keys as JWTVerifyGetKey, {
        issuer: trusted.issuer,
        audience: trusted.audience,
        algorithms: trusted.algorithms,
        clockTolerance: this.tolerance,
        requiredClaims: ['exp'],
        currentDate: this.clock.now(),
        ...(trusted.typ ? { typ: trusted.typ } : {}),
      });
      return payload;
    } catch {
      throw new MediatorError('unauthorized', GENERIC);
    }
  }

  private remember(token: string, principal: Principal): void {
    if (this.cache.size >= this.cacheSize) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(token, principal);
  }
}

function toPrincipal(payload: JWTPayload): Principal {
  const claims = payload as Record<string, unknown>;
  const clientId = [claims.client_id, claims.azp, payload.sub].find((v): v is string => typeof v === 'string' && v.length > 0);
  if (!clientId) throw new MediatorError('unauthorized', GENERIC);
  const userId = payload.sub && payload.sub !== clientId ? payload.sub : undefined;
  return { clientId, userId, scopes: scopesOf(claims), via: 'jwt', expiresAt: payload.exp };
}
