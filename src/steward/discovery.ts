/**
 * The identity provider's endpoints, read from its discovery document (OpenID Connect Discovery 1.0
 * §4, or RFC 8414) by the mediator, not by the browser: the page then needs to reach only the token
 * endpoint, which is the one foreign origin its content security policy allows. A document whose
 * `issuer` is not the configured one is refused (Discovery §4.3), as are endpoints that are not
 * https (plain http only on loopback, for development and tests).
 */
import { MediatorError } from '../core/errors';
import type { Logger } from '../core/logger';

/** What the page needs from the identity provider. */
export interface IdpEndpoints {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** Where the page sends a steward who signs out, when the provider has one. */
  endSessionEndpoint?: string;
}

export interface DiscoveryOptions {
  /** The discovery document's URL. */
  url: string;
  /** The issuer the document must name (AUTH_ISSUER). */
  issuer: string;
  logger: Logger;
  /** How long a fetched document is used before it is fetched again. */
  ttlMs?: number;
  /** How long a failure is remembered before the next attempt. */
  retryMs?: number;
  fetchTimeoutMs?: number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * An endpoint URL the browser may be sent to: https, or http on loopback.
 * @param value - the document's value
 * @param name - the member's name (for the error)
 */
export function endpointUrl(value: unknown, name: string): string {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new Error(`discovery document: ${name} is not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) throw new Error(`discovery document: ${name} must be https`);
  if (url.username || url.password || url.hash) throw new Error(`discovery document: ${name} must not carry credentials or a fragment`);
  return url.href;
}

/**
 * Check a discovery document and keep what the page needs.
 * @param doc - the parsed document
 * @param issuer - the expected issuer
 */
export function parseDiscovery(doc: unknown, issuer: string): IdpEndpoints {
  if (!doc || typeof doc !== 'object') throw new Error('discovery document: not a JSON object');
  const d = doc as Record<string, unknown>;
  if (d.issuer !== issuer) throw new Error('discovery document: issuer differs from AUTH_ISSUER');
  const methods = d.code_challenge_methods_supported;
  if (Array.isArray(methods) && !methods.includes('S256')) throw new Error('discovery document: the provider does not support PKCE with S256');
  return {
    issuer,
    authorizationEndpoint: endpointUrl(d.authorization_endpoint, 'authorization_endpoint'),
    tokenEndpoint: endpointUrl(d.token_endpoint, 'token_endpoint'),
    ...(d.end_session_endpoint ? { endSessionEndpoint: endpointUrl(d.end_session_endpoint, 'end_session_endpoint') } : {}),
  };
}

/** Reads and caches the identity provider's endpoints. */
export class IdpDiscovery {
  private cached: { endpoints: IdpEndpoints; until: number } | null = null;
  private failedUntil = 0;
  private inFlight: Promise<IdpEndpoints> | null = null;

  /**
   * @param opts - document URL, expected issuer, logger, cache times
   */
  constructor(private readonly opts: DiscoveryOptions) {}

  /** The endpoints, or MediatorError('unavailable') while the provider cannot be read. */
  async endpoints(): Promise<IdpEndpoints> {
    if (this.cached && this.cached.until > Date.now()) return this.cached.endpoints;
    if (Date.now() < this.failedUntil) throw this.unavailable();
    this.inFlight ??= this.fetchDocument().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** The endpoints when they are known and fresh, without waiting. */
  known(): IdpEndpoints | null {
    return this.cached?.endpoints ?? null;
  }

  private async fetchDocument(): Promise<IdpEndpoints> {
    try {
      const res = await fetch(this.opts.url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.opts.fetchTimeoutMs ?? 5000), redirect: 'error' });
      if (!res.ok) throw new Error(`discovery document: HTTP ${res.status}`);
      const endpoints = parseDiscovery(await res.json(), this.opts.issuer);
      this.cached = { endpoints, until: Date.now() + (this.opts.ttlMs ?? 3_600_000) };
      return endpoints;
    } catch (err) {
      this.failedUntil = Date.now() + (this.opts.retryMs ?? 15_000);
      this.opts.logger.warn({ err: (err as Error).message }, 'identity provider discovery failed; the steward page cannot sign people in until it succeeds');
      // A provider that was read once stays usable while it cannot be read again.
      if (this.cached) return this.cached.endpoints;
      throw this.unavailable();
    }
  }

  private unavailable(): MediatorError {
    return new MediatorError('unavailable', 'The identity provider cannot be reached; retry shortly', { retryAfterSeconds: Math.max(1, Math.ceil((this.failedUntil - Date.now()) / 1000)) });
  }
}
