/**
 * Key material: Passerelle's own signing key (for the token endpoint, published as a JWKS) and the
 * key sets of external identity providers (JWKS URL or file). Only asymmetric algorithms are ever
 * accepted: `none` and the HMAC family are removed from any allow-list, so a token "signed" with a
 * published public key used as an HMAC secret can never verify.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, exportJWK, generateKeyPair, importJWK, importPKCS8 } from 'jose';
import type { CryptoKey, JSONWebKeySet, JWK, JWTVerifyGetKey } from 'jose';

/** Passerelle's own key pair and its public JWK (with `kid`, `alg`, `use`). */
export interface SigningKey {
  alg: string;
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$|^ES256K$/;

/**
 * Keep only asymmetric signature algorithms; throws when nothing usable is left.
 * @param algorithms - the configured allow-list (AUTH_ALGORITHMS)
 */
export function safeAlgorithms(algorithms: readonly string[]): string[] {
  const kept = algorithms.filter((a) => ASYMMETRIC.test(a));
  if (kept.length === 0) throw new Error('AUTH_ALGORITHMS: no asymmetric algorithm left (none and HS* are never accepted)');
  return kept;
}

function algOfJwk(jwk: JWK): string {
  if (typeof jwk.alg === 'string') return jwk.alg;
  if (jwk.kty === 'EC') return jwk.crv === 'P-384' ? 'ES384' : jwk.crv === 'P-521' ? 'ES512' : 'ES256';
  if (jwk.kty === 'OKP') return 'EdDSA';
  if (jwk.kty === 'RSA') return 'RS256';
  throw new Error('signing key: unsupported key type (use an EC, OKP or RSA private key)');
}

async function fromPrivateJwk(jwk: JWK): Promise<SigningKey> {
  if (!jwk.d) throw new Error('signing key: the JWK has no private part');
  const alg = algOfJwk(jwk);
  const privateKey = (await importJWK(jwk, alg)) as CryptoKey;
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, oth: _oth, ...pub } = jwk;
  const publicKey = (await importJWK(pub, alg)) as CryptoKey;
  const kid = jwk.kid ?? randomUUID();
  return { alg, kid, privateKey, publicKey, publicJwk: { ...pub, kid, alg, use: 'sig' } };
}

/**
 * Load the signing key from a file: a private JWK (JSON) or a PKCS#8 PEM (then `alg` is required).
 * @param path - AUTH_SIGNING_KEY_FILE
 * @param pemAlg - algorithm of a PEM key (ES256 by default)
 */
export async function loadSigningKey(path: string, pemAlg = 'ES256'): Promise<SigningKey> {
  const text = readFileSync(path, 'utf8').trim();
  if (text.startsWith('{')) return fromPrivateJwk(JSON.parse(text) as JWK);
  const privateKey = await importPKCS8(text, pemAlg, { extractable: true });
  return fromPrivateJwk({ ...(await exportJWK(privateKey)), alg: pemAlg });
}

/**
 * A fresh in-memory key pair (development and tests; tokens do not survive a restart).
 * @param alg - JWS algorithm
 */
export async function generateSigningKey(alg = 'ES256'): Promise<SigningKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return fromPrivateJwk({ ...(await exportJWK(privateKey)), alg, kid: randomUUID() });
}

/**
 * The key resolver for an external identity provider's tokens.
 * @param source - a JWKS URL (fetched and cached by jose) or a JWKS file path, or an inline set
 */
export function externalKeySet(source: { url?: string; file?: string; jwks?: JSONWebKeySet }): JWTVerifyGetKey {
  if (source.jwks) return createLocalJWKSet(source.jwks);
  if (source.file) return createLocalJWKSet(JSON.parse(readFileSync(source.file, 'utf8')) as JSONWebKeySet);
  if (source.url) return createRemoteJWKSet(new URL(source.url), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: 5_000 });
  throw new Error('externalKeySet: give a JWKS URL, file or set');
}
