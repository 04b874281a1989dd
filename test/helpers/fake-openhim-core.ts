/**
 * A fake of OpenHIM Core's mediator API (openhim.md §4, §10) on a real loopback port, HTTP or HTTPS:
 * Basic auth against admin users (401 bad credentials, 403 outside the admin group), the version gate
 * on registration (201 either way; a greater version merges with stored values winning), heartbeats
 * (404 for an unknown URN first, 400 without uptime, config on `config: true` or when the console
 * changed it since the last beat), PUT …/config validation with `_configModifiedTS`, GET with masked
 * passwords, DELETE, default channels (500 on a duplicate name) and the public GET /heartbeat.
 * Test controls: a console edit, a deleted mediator, "Core down" (refused or 503 for N calls), a late start.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { channelProblems, configDefProblems, configProblems, isSemver, semverGreater } from './openhim-core-rules';

interface StoredMediator {
  doc: Record<string, unknown> & { urn: string; version: string; configDefs?: Array<{ param: string; type: string }>; config?: Record<string, unknown>; defaultChannelConfig?: Array<{ name: string }> };
  lastHeartbeat?: number;
  configModifiedTS?: number;
  uptime?: number;
}

/** One call the fake received. */
export interface CoreCall {
  method: string;
  path: string;
  user?: string;
  status: number;
  body?: unknown;
  /** What Core answered (a heartbeat's config, or '' when it sent none). */
  answer?: unknown;
}

export interface FakeCoreOptions {
  https?: boolean;
  /** Users: email → password and groups (default: root@openhim.org / openhim-password, admin). */
  users?: Record<string, { password: string; groups: string[] }>;
  /** Listen on this port (a late start reuses the port the app was told about). */
  port?: number;
}

const TLS_DIR = join(__dirname, '..', 'fixtures', 'openhim-tls');
const MASK = '**********';

/** A fake Core; `start()` listens, `stop()` closes. */
export class FakeOpenhimCore {
  readonly mediators = new Map<string, StoredMediator>();
  readonly channels: Array<Record<string, unknown>> = [];
  readonly calls: CoreCall[] = [];
  private server: Server | null = null;
  private failures: { count: number; status: number | 'reset'; only?: string } = { count: 0, status: 503 };
  private readonly users: Record<string, { password: string; groups: string[] }>;
  port = 0;

  constructor(private readonly opts: FakeCoreOptions = {}) {
    this.users = opts.users ?? { 'root@openhim.org': { password: 'openhim-password', groups: ['admin'] } };
    this.port = opts.port ?? 0;
  }

  /** Core's API address. */
  get url(): string {
    return `${this.opts.https ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    this.server = this.opts.https
      ? createHttpsServer({ cert: readFileSync(join(TLS_DIR, 'core.pem')), key: readFileSync(join(TLS_DIR, 'core-key.pem')) }, handler)
      : createHttpServer(handler);
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /**
   * Answer the next `count` calls with `status` (a Core behind a proxy that is restarting), or drop
   * their connections without an answer (`reset`: a network error).
   * @param count - how many calls fail
   * @param status - their status, or `reset`
   * @param only - fail only calls to this `METHOD /path` (e.g. `POST /mediators`)
   */
  failNext(count: number, status: number | 'reset' = 503, only?: string): void {
    this.failures = { count, status, ...(only ? { only } : {}) };
  }

  /**
   * An admin's edit in the console: `PUT /mediators/:urn/config` with Core's validation.
   * @param urn - the mediator
   * @param config - the whole new config
   * @returns Core's status (200, 400, 404)
   */
  consoleEdit(urn: string, config: Record<string, unknown>): { status: number; message?: string } {
    return this.setConfig(urn, structuredClone(config));
  }

  /** @param urn - the mediator an admin deletes in the console */
  deleteMediator(urn: string): void {
    this.mediators.delete(urn);
  }

  /** @param urn - a mediator; its stored config, unmasked */
  configOf(urn: string): Record<string, unknown> | undefined {
    return this.mediators.get(urn)?.doc.config;
  }

  /** @param urn - a mediator; the heartbeat calls it made */
  heartbeats(urn: string): CoreCall[] {
    return this.calls.filter((c) => c.path === `/mediators/${encodeURIComponent(urn)}/heartbeat`);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const call: CoreCall = { method: req.method ?? 'GET', path, status: 0, body };
    this.calls.push(call);
    const failure = this.failing(call);
    if (failure === 'reset') {
      call.status = -1;
      req.socket.destroy();
      return;
    }
    const answer = failure === undefined ? this.route(req, call, body) : { status: failure, body: 'Service Unavailable' };
    call.status = answer.status;
    call.answer = answer.body;
    const payload = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    res.writeHead(answer.status, payload && typeof answer.body !== 'string' ? { 'content-type': 'application/json' } : { 'content-type': 'text/plain' });
    res.end(payload);
  }

  private route(req: IncomingMessage, call: CoreCall, body: unknown): { status: number; body?: unknown } {
    if (call.method === 'GET' && call.path === '/heartbeat') return { status: 200, body: this.publicHeartbeat() };
    const auth = this.authenticate(req);
    if (auth.status !== 200) return auth;
    call.user = auth.user;
    const m = /^\/mediators(?:\/([^/]+))?(?:\/(heartbeat|config|channels))?$/.exec(call.path);
    if (!m) return { status: 404 };
    const urn = m[1] ? decodeURIComponent(m[1]) : undefined;
    const key = `${call.method} ${m[2] ?? (urn ? ':urn' : '')}`;
    switch (key) {
      case 'POST ': return this.register(body as StoredMediator['doc']);
      case 'GET :urn': return this.getMediator(urn!);
      case 'DELETE :urn': this.mediators.delete(urn!); return { status: 200 };
      case 'POST heartbeat': return this.heartbeat(urn!, body as { uptime?: number; config?: boolean } | undefined);
      case 'PUT config': { const r = this.setConfig(urn!, body as Record<string, unknown>); return { status: r.status, body: r.message }; }
      case 'POST channels': return this.installChannels(urn!, body as string[] | undefined);
      default: return { status: 404 };
    }
  }

  /** The failure this call meets (counted once), if any. */
  private failing(call: CoreCall): number | 'reset' | undefined {
    const f = this.failures;
    if (f.count === 0 || (f.only && f.only !== `${call.method} ${call.path}`)) return undefined;
    f.count--;
    return f.status;
  }

  private authenticate(req: IncomingMessage): { status: number; user?: string; body?: string } {
    const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (!m) return { status: 401 };
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const email = decoded.slice(0, decoded.indexOf(':'));
    const user = this.users[email];
    if (!user || user.password !== decoded.slice(decoded.indexOf(':') + 1)) return { status: 401 };
    if (!user.groups.includes('admin')) return { status: 403, body: `User ${email} is not an admin, API access to addMediator denied.` };
    return { status: 200, user: email };
  }

  private publicHeartbeat(): unknown {
    const mediators: Record<string, number | null> = {};
    for (const [urn, m] of this.mediators) mediators[urn] = m.lastHeartbeat && Date.now() - m.lastHeartbeat <= 60_000 ? (m.uptime ?? null) : null;
    return { master: process.uptime(), mediators, now: Date.now() };
  }

  private register(doc: StoredMediator['doc'] | undefined): { status: number; body?: string } {
    if (!doc?.urn) return { status: 400, body: 'Could not add Mediator via the API: ValidationError: URN is required' };
    if (!isSemver(doc.version)) return { status: 400, body: 'Could not add Mediator via the API: ValidationError: Version is required. Must be in SemVer form x.y.z' };
    const problems = [...configDefProblems(doc.configDefs ?? []), ...(doc.config ? configProblems(doc.configDefs ?? [], doc.config) : [])];
    if (problems.length > 0) return { status: 400, body: `Could not add Mediator via the API: ValidationError: ${problems[0]}` };
    const existing = this.mediators.get(doc.urn);
    if (!existing) {
      if (!Array.isArray(doc.endpoints) || doc.endpoints.length < 1) return { status: 400, body: 'Could not add Mediator via the API: ValidationError: At least 1 endpoint is required' };
      this.mediators.set(doc.urn, { doc: structuredClone(doc) });
      return { status: 201 };
    }
    // Same or lower version: nothing changes, and Core still answers 201 (openhim.md §2.3).
    if (!semverGreater(doc.version, existing.doc.version)) return { status: 201 };
    const next = structuredClone(doc);
    if (next.config && existing.doc.config) {
      for (const k of Object.keys(next.config)) if (existing.doc.config[k] != null) next.config[k] = existing.doc.config[k];
    } else if (!next.config) {
      next.config = existing.doc.config;
    }
    existing.doc = next;
    return { status: 201 };
  }

  private getMediator(urn: string): { status: number; body?: unknown } {
    const m = this.mediators.get(urn);
    if (!m) return { status: 404 };
    const doc = structuredClone(m.doc);
    for (const d of doc.configDefs ?? []) if (d.type === 'password' && doc.config?.[d.param]) doc.config[d.param] = MASK;
    return { status: 200, body: { ...doc, _lastHeartbeat: m.lastHeartbeat, _uptime: m.uptime, _configModifiedTS: m.configModifiedTS } };
  }

  private heartbeat(urn: string, beat: { uptime?: number; config?: boolean } | undefined): { status: number; body?: unknown } {
    const m = this.mediators.get(urn);
    if (!m) return { status: 404 };
    if (beat?.uptime == null) return { status: 400 };
    // Core compares `_configModifiedTS > _lastHeartbeat`; with either unset the comparison is false.
    const changed = m.configModifiedTS !== undefined && m.lastHeartbeat !== undefined && m.configModifiedTS > m.lastHeartbeat;
    const answer = beat.config === true || changed ? (m.doc.config ?? {}) : '';
    m.lastHeartbeat = Date.now();
    m.uptime = beat.uptime;
    return { status: 200, body: answer };
  }

  private setConfig(urn: string, config: Record<string, unknown>): { status: number; message?: string } {
    const m = this.mediators.get(urn);
    if (!m) return { status: 404, message: 'No mediator found for this urn.' };
    for (const d of m.doc.configDefs ?? []) if (d.type === 'password' && config[d.param] === MASK) config[d.param] = m.doc.config?.[d.param];
    const problems = configProblems(m.doc.configDefs ?? [], config);
    if (problems.length > 0) return { status: 400, message: problems[0] };
    m.doc.config = config;
    // Strictly after any heartbeat already recorded in this millisecond.
    m.configModifiedTS = Math.max(Date.now(), (m.lastHeartbeat ?? 0) + 1);
    return { status: 200 };
  }

  private installChannels(urn: string, names: string[] | undefined): { status: number; body?: string } {
    const m = this.mediators.get(urn);
    if (!m) return { status: 404, body: 'No mediator found for this urn.' };
    const all = m.doc.defaultChannelConfig ?? [];
    const wanted = !names || names.length === 0 ? all : all.filter((c) => names.includes(c.name));
    if (wanted.length < (names?.length ?? 0)) return { status: 400, body: 'one or more channels in the request body not found in the mediator config' };
    const problems = channelProblems(wanted);
    if (problems.length > 0) return { status: 400, body: problems[0] };
    if (wanted.some((c) => this.channels.some((x) => x.name === c.name))) return { status: 500, body: 'E11000 duplicate key error: channel name' };
    this.channels.push(...structuredClone(wanted));
    return { status: 201 };
  }
}

/** A free loopback port (for a Core that starts after the app was told where to find it). */
export async function freePort(): Promise<number> {
  const s = createHttpServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
