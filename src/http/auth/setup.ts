/**
 * Build {@link AuthOptions} from validated configuration: trusted issuers (Passerelle itself, plus
 * an external identity provider when AUTH_JWKS_URL/FILE is set), the token endpoint, rate limits and
 * OpenHIM trust.
 */
import type { Config } from '../../config';
import type { Logger } from '../../core/logger';
import { FailureThrottle, RateLimiter } from '../rate-limit';
import type { ClientStore } from './clients';
import { TokenIssuer } from './issuer';
import { externalKeySet, generateSigningKey, loadSigningKey, safeAlgorithms } from './keys';
import type { SigningKey } from './keys';
import type { AuthOptions } from './plugin';
import { AccessTokenVerifier } from './verifier';
import type { TrustedIssuer } from './verifier';

export interface AuthSetupDeps {
  config: Config;
  logger: Logger;
  clients: ClientStore;
  /** A signing key to use instead of AUTH_SIGNING_KEY_FILE (tests). */
  signingKey?: SigningKey;
}

function externalIssuer(config: Config, audience: string): TrustedIssuer | null {
  const e = config.env;
  if (!e.AUTH_JWKS_URL && !e.AUTH_JWKS_FILE) return null;
  if (!e.AUTH_ISSUER) throw new Error('AUTH_ISSUER: required with AUTH_JWKS_URL or AUTH_JWKS_FILE');
  return { issuer: e.AUTH_ISSUER, audience, keys: externalKeySet({ url: e.AUTH_JWKS_URL, file: e.AUTH_JWKS_FILE }), algorithms: safeAlgorithms(e.AUTH_ALGORITHMS) };
}

async function signingKey(deps: AuthSetupDeps): Promise<SigningKey> {
  if (deps.signingKey) return deps.signingKey;
  const file = deps.config.env.AUTH_SIGNING_KEY_FILE;
  if (file) return loadSigningKey(file);
  deps.logger.warn('AUTH_SIGNING_KEY_FILE not set: using a temporary signing key; issued tokens end with this process');
  return generateSigningKey('ES256');
}

/**
 * Assemble the auth plugin's options.
 * @param deps - configuration, logger, client store, optional signing key
 */
export async function createAuthOptions(deps: AuthSetupDeps): Promise<AuthOptions> {
  const { config, logger, clients } = deps;
  const e = config.env;
  const audience = e.AUTH_AUDIENCE ?? config.publicBaseUrl;
  const issuer = new TokenIssuer({ key: await signingKey(deps), issuer: config.publicBaseUrl, audience });
  const external = externalIssuer(config, audience);
  const issuers = [issuer.trusted(), ...(external && external.issuer !== config.publicBaseUrl ? [external] : [])];
  return {
    mode: e.AUTH_MODE,
    logger,
    verifier: new AccessTokenVerifier({ issuers, clockToleranceSec: 30 }),
    rateLimiter: new RateLimiter({ perMinute: e.RATE_LIMIT_PER_MINUTE }),
    tokenEndpoint: {
      issuer, clients,
      assertionAudiences: [`${config.publicBaseUrl}/oauth2/token`, config.publicBaseUrl],
      algorithms: safeAlgorithms(e.AUTH_ALGORITHMS),
      seenJti: new Map(),
      throttle: new FailureThrottle({ maxFailures: 5, windowMs: 5 * 60_000, blockMs: 5 * 60_000 }),
    },
    openhim: e.OPENHIM_TRUST_CLIENT_HEADER ? { clients, sharedSecret: e.OPENHIM_SHARED_SECRET } : undefined,
  };
}
