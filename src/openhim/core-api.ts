/**
 * A small typed client of OpenHIM Core's mediator API (register, heartbeat, the public readiness
 * probe). Passerelle talks to the API directly instead of through openhim-mediator-utils 0.4.0,
 * because the library's pitfalls (openhim.md §3.3) touch exactly what this integration must get right:
 * its heartbeat timer and emitter are module globals (two mediators in one process share one timer),
 * callbacks can run twice, requests have no timeout, the URN is not URL-encoded, TLS is either fully
 * verified against the system CAs or not verified at all (no CA file), and HTTP statuses are not told
 * apart. The six calls it makes are simple; keeping them here keeps their semantics in one place.
 */
import { createHash, randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

/** How to reach and authenticate to Core's API. */
export interface CoreApiOptions {
  /** e.g. `https://openhim-core:8080` */
  apiUrl: string;
  username: string;
  password: string;
  /** `basic` (Core ≥ 7.1) or the legacy `token` scheme (Core ≤ 7.0; deprecated from 7.2). */
  auth?: 'basic' | 'token';
  /** PEM CA certificate(s) that signed Core's API certificate. */
  ca?: string | Buffer;
  /** Accept any certificate (Core's generated self-signed one): development only. */
  trustSelfSigned?: boolean;
  timeoutMs?: number;
}

/** The calls Passerelle makes. */
export type CoreOperation = 'ping' | 'register' | 'heartbeat' | 'authenticate' | 'read' | 'import';

/** A failed call: `status` is set when Core answered, absent on network/TLS failures. */
export class CoreApiError extends Error {
  /**
   * @param operation - the call that failed
   * @param message - what failed
   * @param details - Core's HTTP status and answer when it answered; the Node error code of a network or TLS failure
   */
  constructor(readonly operation: CoreOperation, message: string, details: { status?: number; body?: string; code?: string } = {}) {
    super(message);
    this.name = 'CoreApiError';
    this.status = details.status;
    this.body = details.body;
    this.code = details.code;
  }

  readonly status?: number;
  readonly body?: string;
  readonly code?: string;
}

/** TLS failures that no retry fixes: the certificate is not trusted or the protocol is wrong. */
const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'EPROTO', 'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/**
 * Whether a failure is a TLS trust or protocol mismatch (a configuration error).
 * @param err - a CoreApiError
 */
export function isTlsMisconfiguration(err: CoreApiError): boolean {
  return err.code !== undefined && TLS_TRUST_CODES.has(err.code);
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The mediator API of one Core. */
export class CoreApi {
  private readonly base: URL;
  private readonly agent?: Agent;
  private tokenSecret: string | null = null;

  /**
   * @param opts - address, credentials and TLS trust
   */
  constructor(private readonly opts: CoreApiOptions) {
    this.base = new URL(opts.apiUrl.replace(/\/+$/, ''));
    if (this.base.protocol === 'https:') {
      this.agent = new Agent({ keepAlive: true, ...(opts.ca ? { ca: opts.ca } : {}), rejectUnauthorized: !opts.trustSelfSigned });
    }
  }

  /** The API's address (for logs). */
  get url(): string {
    return this.base.origin;
  }

  /** Core's public `GET /heartbeat`: resolves when Core's API answers. */
  async ping(): Promise<void> {
    this.expect('ping', await this.send('ping', 'GET', '/heartbeat', undefined), [200]);
  }

  /**
   * `POST /mediators`. Core answers 201 whether or not it changed anything (version-bump rule).
   * @param config - the registration document
   */
  async register(config: object): Promise<void> {
    this.expect('register', await this.send('register', 'POST', '/mediators', config), [200, 201]);
  }

  /**
   * `POST /mediators/:urn/heartbeat`.
   * @param urn - the mediator's URN
   * @param uptimeSeconds - process uptime
   * @param wantConfig - ask for the config even if it did not change
   * @returns the config when Core sent one, null for an empty answer
   */
  async heartbeat(urn: string, uptimeSeconds: number, wantConfig: boolean): Promise<Record<string, unknown> | null> {
    const body = { uptime: uptimeSeconds, ...(wantConfig ? { config: true } : {}) };
    const res = await this.send('heartbeat', 'POST', `/mediators/${encodeURIComponent(urn)}/heartbeat`, body);
    this.expect('heartbeat', res, [200]);
    // Old Cores answer "OK" when nothing changed (core #548).
    if (res.body.trim() === '' || res.body.trim() === 'OK') return null;
    try {
      const parsed: unknown = JSON.parse(res.body);
      return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    } catch {
      throw new CoreApiError('heartbeat', 'OpenHIM Core sent a heartbeat answer that is not JSON', { status: res.status, body: res.body.slice(0, 200) });
    }
  }

  /**
   * `GET /mediators/:urn` (passwords masked by Core): what Core holds for a mediator, or null.
   * @param urn - the mediator's URN
   */
  async getMediator(urn: string): Promise<Record<string, unknown> | null> {
    const res = await this.send('read', 'GET', `/mediators/${encodeURIComponent(urn)}`, undefined);
    if (res.status === 404) return null;
    this.expect('read', res, [200]);
    return JSON.parse(res.body) as Record<string, unknown>;
  }

  /**
   * `POST /metadata`: Core's bulk import (channels, clients…), as openhim/openhim-import.json is installed.
   * @param metadata - `{ Channels, Clients, … }`
   * @returns Core's per-record report
   */
  async importMetadata(metadata: object): Promise<unknown> {
    const res = await this.send('import', 'POST', '/metadata', metadata);
    this.expect('import', res, [200, 201]);
    return res.body ? (JSON.parse(res.body) as unknown) : null;
  }

  private expect(operation: CoreOperation, res: RawResponse, ok: number[]): void {
    if (ok.includes(res.status)) return;
    // A changed password invalidates the cached hash of the token scheme.
    if (res.status === 401) this.tokenSecret = null;
    throw new CoreApiError(operation, `OpenHIM Core answered ${res.status} to ${operation}`, { status: res.status, body: res.body.slice(0, 500) });
  }

  private async authHeaders(): Promise<Record<string, string>> {
    if (this.opts.auth !== 'token') {
      return { authorization: `Basic ${Buffer.from(`${this.opts.username}:${this.opts.password}`).toString('base64')}` };
    }
    // Legacy token scheme (core src/api/authentication.js, ≤ v7.0): sha512(passwordHash + salt + ts).
    this.tokenSecret ??= await this.passwordHash();
    const ts = new Date().toISOString();
    const salt = randomUUID();
    const token = createHash('sha512').update(this.tokenSecret).update(salt).update(ts).digest('hex');
    return { 'auth-username': this.opts.username, 'auth-ts': ts, 'auth-salt': salt, 'auth-token': token };
  }

  private async passwordHash(): Promise<string> {
    const res = await this.send('authenticate', 'GET', `/authenticate/${encodeURIComponent(this.opts.username)}`, undefined);
    // Core answers 404 for an unknown user: to the operator, that is a credentials problem.
    this.expect('authenticate', res.status === 404 ? { ...res, status: 401 } : res, [200]);
    const { salt } = JSON.parse(res.body) as { salt?: string };
    if (typeof salt !== 'string') throw new CoreApiError('authenticate', 'OpenHIM Core sent no salt for token authentication', { status: res.status });
    return createHash('sha512').update(salt).update(this.opts.password).digest('hex');
  }

  private async send(operation: CoreOperation, method: string, path: string, body: unknown): Promise<RawResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    // The readiness probe and the token bootstrap are Core's only public API calls.
    const authenticated = operation !== 'ping' && operation !== 'authenticate';
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } : {}),
      ...(authenticated ? await this.authHeaders() : {}),
    };
    const url = new URL(`${this.base.pathname.replace(/\/$/, '')}${path}`, this.base.origin);
    return new Promise<RawResponse>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(url, { method, headers, agent: this.agent, timeout: this.opts.timeoutMs ?? 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err: NodeJS.ErrnoException) => reject(new CoreApiError(operation, err.message, { code: err.code })));
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer from OpenHIM Core within ${this.opts.timeoutMs ?? 10_000} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', (err: NodeJS.ErrnoException) => reject(new CoreApiError(operation, err.message, { code: err.code })));
      req.end(payload);
    });
  }
}
