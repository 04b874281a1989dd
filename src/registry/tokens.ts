/**
 * Identity tokens for cards and QR codes: 144 random bits, base64url, stored only as a SHA-256 hash
 * so a database leak does not reveal usable tokens. Verification answers valid / revoked / not_found
 * with a timestamp and never anything about the person.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Actor, Clock } from '../core/types';
import { MediatorError } from '../core/errors';
import type { TokenStore } from './store';

const TOKEN_BYTES = 18;

/**
 * SHA-256 (hex) of a token string.
 * @param token - the token as presented
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Token operations used by the registry service. */
export interface TokenService {
  issue(mpiId: string, actor: Actor): Promise<{ token: string; issuedAt: string }>;
  verify(token: string): Promise<{ status: 'valid' | 'revoked' | 'not_found'; checkedAt: string }>;
  revoke(token: string, actor: Actor): Promise<void>;
}

/**
 * Build the token service.
 * @param store - hashed token storage
 * @param clock - time source
 * @param bytes - random source (crypto by default)
 */
export function createTokenService(store: TokenStore, clock: Clock, bytes: (n: number) => Buffer = randomBytes): TokenService {
  return {
    async issue(mpiId, actor) {
      const token = bytes(TOKEN_BYTES).toString('base64url');
      const issuedAt = clock.now().toISOString();
      await store.insert({ hash: hashToken(token), mpiId, issuedAt, issuedBy: actor });
      return { token, issuedAt };
    },
    async verify(token) {
      const checkedAt = clock.now().toISOString();
      // Malformed tokens are simply unknown: no error detail that would help guessing.
      if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) {
        return { status: 'not_found', checkedAt };
      }
      const rec = await store.get(hashToken(token));
      return { status: !rec ? 'not_found' : rec.revokedAt ? 'revoked' : 'valid', checkedAt };
    },
    async revoke(token) {
      const ok = await store.revoke(hashToken(token), clock.now().toISOString());
      if (!ok) {
        throw new MediatorError('not-found', 'unknown token');
      }
    },
  };
}
