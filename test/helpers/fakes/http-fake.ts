/**
 * A real HTTP server on loopback for the upstream fakes (DHIS2, OpenMRS, iHRIS, the national
 * registry): routes, credential checks (Basic, DHIS2 ApiToken, an optional session cookie), a log of
 * every request, and faults injected on demand — an error status, a slow answer, an HTML page with
 * status 200, a truncated JSON body, a dropped connection — for the next N matching requests.
 * Used by the tests, the demo and the benchmarks; never a stub of our own client.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake received it. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** Parsed JSON body, when there is one. */
  json?: unknown;
}

/** What a route answers. */
export interface FakeReply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A misbehaviour for the next matching requests. */
export type Fault =
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'delay'; ms: number }
  | { kind: 'html200' }
  | { kind: 'truncated' }
  | { kind: 'reset' };

/** Accepted credentials; a request with none of them gets 401 (no credentials configured: open). */
export interface FakeAuth {
  basic?: { username: string; password: string };
  apiToken?: string;
  /** Set a session cookie on authenticated answers and accept it instead of credentials. */
  sessionCookie?: string;
}

type Handler = (req: FakeRequest, params: string[]) => FakeReply | Promise<FakeReply>;

/** The fake server. */
export class HttpFake {
  readonly requests: FakeRequest[] = [];
  private readonly routes: Array<{ method: string; pattern: RegExp; handler: Handler }> = [];
  private readonly faults: Array<{ fault: Fault; times: number; match: (r: FakeRequest) => boolean }> = [];
  private server: Server | null = null;
  url = '';

  /**
   * @param auth - accepted credentials
   * @param prefix - path prefix of every route (e.g. `/openmrs`)
   */
  constructor(public auth: FakeAuth = {}, private readonly prefix = '') {}

  /**
   * Add a route; `pattern` is matched against the path after the prefix, its groups are the params.
   * @param method - HTTP method
   * @param pattern - anchored path pattern
   * @param handler - the answer
   */
  route(method: string, pattern: RegExp, handler: Handler): this {
    this.routes.push({ method, pattern, handler });
    return this;
  }

  /**
   * Misbehave on the next `times` requests that match.
   * @param fault - what to do
   * @param opts - how many times (default 1) and which requests (default all)
   */
  inject(fault: Fault, opts: { times?: number; match?: (r: FakeRequest) => boolean } = {}): void {
    this.faults.push({ fault, times: opts.times ?? 1, match: opts.match ?? (() => true) });
  }

  /** Forget injected faults and the request log. */
  reset(): void {
    this.faults.length = 0;
    this.requests.length = 0;
  }

  /**
   * Listen on 127.0.0.1.
   * @param port - a fixed port (default: any free one)
   */
  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.prefix}`;
    return this.url;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private authorised(req: IncomingMessage): boolean {
    const { basic, apiToken, sessionCookie } = this.auth;
    if (!basic && !apiToken) return true;
    const header = req.headers.authorization ?? '';
    if (sessionCookie && (req.headers.cookie ?? '').includes(sessionCookie)) return true;
    if (basic && header === `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`) return true;
    return apiToken !== undefined && header === `ApiToken ${apiToken}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const u = new URL(req.url ?? '/', 'http://fake');
    const body = Buffer.concat(chunks).toString('utf8');
    const fr: FakeRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body };
    try {
      if (body) fr.json = JSON.parse(body) as unknown;
    } catch {
      // not JSON: handlers see the raw body
    }
    this.requests.push(fr);
    const fault = this.takeFault(fr);
    if (fault && (await this.misbehave(fault, res))) return;
    if (!this.authorised(req)) return send(res, 401, { httpStatusCode: 401, message: 'Unauthorized' });
    const reply = await this.dispatch(fr);
    if (this.auth.sessionCookie) res.setHeader('Set-Cookie', `${this.auth.sessionCookie}; Path=/; HttpOnly`);
    send(res, reply.status ?? 200, reply.body, reply.headers);
  }

  private async dispatch(fr: FakeRequest): Promise<FakeReply> {
    const path = fr.path.startsWith(this.prefix) ? fr.path.slice(this.prefix.length) : fr.path;
    for (const r of this.routes) {
      const m = r.method === fr.method ? r.pattern.exec(path) : null;
      if (!m) continue;
      try {
        return await r.handler(fr, m.slice(1));
      } catch (err) {
        return { status: 500, body: { message: (err as Error).message } };
      }
    }
    return { status: 404, body: { message: `no route for ${fr.method} ${path}` } };
  }

  private takeFault(fr: FakeRequest): Fault | undefined {
    const i = this.faults.findIndex((f) => f.times > 0 && f.match(fr));
    if (i < 0) return undefined;
    const f = this.faults[i] as (typeof this.faults)[number];
    f.times -= 1;
    if (f.times === 0) this.faults.splice(i, 1);
    return f.fault;
  }

  /** Apply a fault; true when it answered (a delay lets the request go on afterwards). */
  private async misbehave(fault: Fault, res: ServerResponse): Promise<boolean> {
    switch (fault.kind) {
      case 'delay':
        await new Promise((r) => setTimeout(r, fault.ms));
        return false;
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
        res.end(fault.body ?? JSON.stringify({ httpStatusCode: fault.status, message: 'injected failure' }));
        return true;
      case 'html200':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!DOCTYPE html><html><head><title>Login</title></head><body>Please log in</body></html>');
        return true;
      case 'truncated':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"pager":{"page":1,"pageSize":50},"trackedEntities":[{"trackedEntity":"abc');
        return true;
      case 'reset':
        res.socket?.destroy();
        return true;
    }
  }
}

/**
 * Write a JSON (or text) answer.
 * @param res - the response
 * @param status - HTTP status
 * @param body - JSON-serialisable body, a string, or undefined
 * @param headers - extra headers
 */
export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
  res.end(text);
}
