/**
 * A ministry identity provider faked at the HTTP level: a real server on loopback with OpenID
 * discovery, an authorization endpoint with a sign-in form, a token endpoint that checks PKCE (S256)
 * for real and allows the steward page's origin (CORS), and a JWKS. Tokens are ES256 JWTs as an
 * OIDC provider issues them to a public client: `sub` is the person, `azp` the client.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { generateSigningKey } from '../../src/http/auth/keys';
import type { SigningKey } from '../../src/http/auth/keys';

/** A person who can sign in, with the scopes the provider grants them. */
export interface IdpUser {
  sub: string;
  name: string;
  scopes: string[];
}

export interface FakeIdpOptions {
  clientId: string;
  redirectUris: string[];
  /** Origins allowed to call the token endpoint from a browser. */
  allowedOrigins: string[];
  audience: string;
  users: Record<string, IdpUser>;
  tokenTtlSec?: number;
}

export interface FakeIdp {
  issuer: string;
  jwksUrl: string;
  /** Every token request, with what the provider answered (`why`: which check refused it). */
  tokenRequests: Array<{ grant: string; status: number; error?: string; why?: string }>;
  close(): Promise<void>;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  user: IdpUser;
  expiresAt: number;
  used: boolean;
}

const base64url = (b: Buffer): string => b.toString('base64url');
const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'cache-control': 'no-store', ...headers });
  res.end(body);
}

function loginForm(params: URLSearchParams, error?: string): string {
  const hidden = [...params].filter(([k]) => k !== 'username').map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
  return `<!doctype html><html lang="en"><head><title>Ministry sign-in</title></head><body><h1>Ministry sign-in</h1>${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/authorize">${hidden}<label for="username">Username</label> <input id="username" name="username" autofocus autocomplete="username">
<button type="submit">Sign in</button></form></body></html>`;
}

class Provider {
  readonly codes = new Map<string, PendingCode>();
  readonly tokenRequests: FakeIdp['tokenRequests'] = [];
  issuer = '';

  constructor(private readonly opts: FakeIdpOptions, private readonly key: SigningKey) {}

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.issuer);
    if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') return this.discovery(res);
    if (req.method === 'GET' && url.pathname === '/jwks') return send(res, 200, JSON.stringify({ keys: [this.key.publicJwk] }), { 'content-type': 'application/json' });
    if (url.pathname === '/authorize') return this.authorize(req, res, req.method === 'POST' ? await readForm(req) : url.searchParams);
    if (url.pathname === '/token' && req.method === 'OPTIONS') return send(res, 204, '', this.cors(req, { 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type, accept' }));
    if (url.pathname === '/token' && req.method === 'POST') return this.token(req, res, await readForm(req));
    send(res, 404, 'not found');
  }

  private discovery(res: ServerResponse): void {
    send(res, 200, JSON.stringify({
      issuer: this.issuer, authorization_endpoint: `${this.issuer}/authorize`, token_endpoint: `${this.issuer}/token`, jwks_uri: `${this.issuer}/jwks`,
      response_types_supported: ['code'], grant_types_supported: ['authorization_code'], code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'], scopes_supported: ['openid', 'mpi/review', 'system/Patient.read'],
    }), { 'content-type': 'application/json' });
  }

  private authorize(req: IncomingMessage, res: ServerResponse, p: URLSearchParams): void {
    // Never redirect to an unregistered URI: errors about the client or the redirect are shown here.
    if (p.get('client_id') !== this.opts.clientId || !this.opts.redirectUris.includes(p.get('redirect_uri') ?? '')) return send(res, 400, 'unknown client or redirect_uri');
    const redirect = new URL(p.get('redirect_uri') as string);
    const back = (q: Record<string, string>): void => {
      for (const [k, v] of Object.entries({ ...q, state: p.get('state') ?? '', iss: this.issuer })) redirect.searchParams.set(k, v);
      send(res, 302, '', { location: redirect.href });
    };
    if (p.get('response_type') !== 'code') return back({ error: 'unsupported_response_type' });
    const challenge = p.get('code_challenge') ?? '';
    if (p.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) return back({ error: 'invalid_request' });
    if (req.method !== 'POST') return send(res, 200, loginForm(p), { 'content-type': 'text/html; charset=utf-8' });
    const user = this.opts.users[p.get('username') ?? ''];
    if (!user) return send(res, 200, loginForm(p, 'Unknown user'), { 'content-type': 'text/html; charset=utf-8' });
    const requested = (p.get('scope') ?? '').split(' ').filter(Boolean);
    const scope = requested.filter((s) => s === 'openid' || user.scopes.includes(s)).join(' ');
    const code = base64url(randomBytes(24));
    this.codes.set(code, { clientId: this.opts.clientId, redirectUri: redirect.href, challenge, scope, user, expiresAt: Date.now() + 60_000, used: false });
    back({ code });
  }

  private cors(req: IncomingMessage, extra: Record<string, string> = {}): Record<string, string> {
    const origin = req.headers.origin;
    return origin && this.opts.allowedOrigins.includes(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin', ...extra } : {};
  }

  private async token(req: IncomingMessage, res: ServerResponse, p: URLSearchParams): Promise<void> {
    const fail = (error: string, why: string): void => {
      this.tokenRequests.push({ grant: p.get('grant_type') ?? '', status: 400, error, why });
      send(res, 400, JSON.stringify({ error, error_description: why }), { 'content-type': 'application/json', ...this.cors(req) });
    };
    if (p.get('grant_type') !== 'authorization_code') return fail('unsupported_grant_type', 'grant');
    const pending = this.codes.get(p.get('code') ?? '');
    if (!pending || pending.expiresAt < Date.now()) return fail('invalid_grant', 'unknown or expired code');
    if (pending.used) return fail('invalid_grant', 'code already redeemed');
    if (p.get('client_id') !== pending.clientId || p.get('redirect_uri') !== pending.redirectUri) return fail('invalid_grant', 'client or redirect_uri');
    const verifier = p.get('code_verifier') ?? '';
    // RFC 7636 §4.6: BASE64URL(SHA256(code_verifier)) must equal the code_challenge. A wrong verifier
    // leaves the code unredeemed (RFC 7636 does not say), so a test can tell this check from the
    // replay check: the right verifier still gets a token, once.
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || base64url(createHash('sha256').update(verifier).digest()) !== pending.challenge) return fail('invalid_grant', 'PKCE verifier');
    pending.used = true;
    const now = Math.floor(Date.now() / 1000);
    const ttl = this.opts.tokenTtlSec ?? 600;
    const scope = pending.scope;
    const accessToken = await new SignJWT({ azp: pending.clientId, scope, preferred_username: pending.user.name })
      .setProtectedHeader({ alg: this.key.alg, kid: this.key.kid, typ: 'at+jwt' })
      .setIssuer(this.issuer).setAudience(this.opts.audience).setSubject(pending.user.sub).setJti(randomUUID())
      .setIssuedAt(now).setExpirationTime(now + ttl).sign(this.key.privateKey);
    this.tokenRequests.push({ grant: 'authorization_code', status: 200 });
    send(res, 200, JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: ttl, scope }), { 'content-type': 'application/json', ...this.cors(req) });
  }
}

/**
 * Start the provider on 127.0.0.1 (a free port).
 * @param opts - client, redirect URIs, allowed origins, audience, users
 */
export async function startFakeIdp(opts: FakeIdpOptions): Promise<FakeIdp> {
  const provider = new Provider(opts, await generateSigningKey('ES256'));
  const server: Server = createServer((req, res) => {
    provider.handle(req, res).catch(() => send(res, 500, 'error'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  provider.issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer: provider.issuer, jwksUrl: `${provider.issuer}/jwks`, tokenRequests: provider.tokenRequests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
