/**
 * Passerelle's own access tokens (RFC 9068 `at+jwt`), signed with its key and published at
 * `/.well-known/jwks.json`. Short-lived by design: a revoked client stops getting new ones, and the
 * ones it holds expire within minutes.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { JSONWebKeySet } from 'jose';
import type { Clock } from '../../core/types';
import { systemClock } from '../../core/types';
import type { SigningKey } from './keys';
import type { TrustedIssuer } from './verifier';

export interface TokenIssuerOptions {
  key: SigningKey;
  /** `iss` of issued tokens (the public base URL). */
  issuer: string;
  /** `aud` of issued tokens. */
  audience: string;
  ttlSeconds?: number;
  clock?: Clock;
}

/** An issued access token as the token endpoint returns it (RFC 6749 §5.1). */
export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/** Signs access tokens for authenticated clients. */
export class TokenIssuer {
  private readonly ttl: number;
  private readonly clock: Clock;

  /**
   * @param opts - key, issuer, audience, lifetime
   */
  constructor(private readonly opts: TokenIssuerOptions) {
    this.ttl = opts.ttlSeconds ?? 300;
    this.clock = opts.clock ?? systemClock;
  }

  /**
   * Sign a token for a client.
   * @param clientId - the authenticated client
   * @param scopes - the granted scopes
   */
  async issue(clientId: string, scopes: string[]): Promise<IssuedToken> {
    const now = Math.floor(this.clock.now().getTime() / 1000);
    const scope = scopes.join(' ');
    const token = await new SignJWT({ client_id: clientId, scope })
      .setProtectedHeader({ alg: this.opts.key.alg, kid: this.opts.key.kid, typ: 'at+jwt' })
      .setIssuer(this.opts.issuer)
      .setAudience(this.opts.audience)
      .setSubject(clientId)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + this.ttl)
      .sign(this.opts.key.privateKey);
    return { access_token: token, token_type: 'Bearer', expires_in: this.ttl, scope };
  }

  /** The public key set to publish. */
  jwks(): JSONWebKeySet {
    return { keys: [this.opts.key.publicJwk] };
  }

  /** How the verifier trusts tokens from this issuer. */
  trusted(): TrustedIssuer {
    return { issuer: this.opts.issuer, audience: this.opts.audience, keys: this.opts.key.publicKey, algorithms: [this.opts.key.alg], typ: 'at+jwt' };
  }
}
