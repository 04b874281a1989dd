/**
 * A downstream FHIR R4 store on loopback for the consumer example's tests — the lab or hospital
 * system the example keeps in step (no FHIR server product runs in this environment). It speaks
 * the interactions the example uses as the FHIR http page specifies them: read (ETag, 404), update
 * and update-as-create at a client id (201/200), version-aware update (`If-Match`, 412 when stale),
 * `id` checks (400), and it can be switched to answer 503 (an outage).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

interface Stored {
  resource: Record<string, unknown>;
  version: number;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/fhir+json', ...headers });
  res.end(JSON.stringify(body));
}

const outcome = (code: string, diagnostics: string): object => ({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics }] });

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

/** The store. */
export class FhirStoreServer {
  private readonly server: Server;
  private readonly resources = new Map<string, Stored>();
  /** While true, every request gets 503. */
  down = false;
  requests = 0;

  constructor() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => send(res, 500, outcome('exception', String(err))));
    });
  }

  /** Start on a free loopback port; returns the FHIR base URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}/fhir`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Every stored resource of a type, by id. */
  all(type: string): Map<string, Record<string, unknown>> {
    return new Map([...this.resources].filter(([k]) => k.startsWith(`${type}/`)).map(([k, v]) => [k.slice(type.length + 1), v.resource]));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests += 1;
    if (this.down) return send(res, 503, outcome('transient', 'maintenance'));
    const m = /^\/fhir\/([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(req.url ?? '');
    if (!m) return send(res, 404, outcome('not-found', 'unknown path'));
    const key = `${m[1] as string}/${m[2] as string}`;
    if (req.method === 'GET') {
      const found = this.resources.get(key);
      return found ? send(res, 200, found.resource, { etag: `W/"${found.version}"` }) : send(res, 404, outcome('not-found', `${key} not found`));
    }
    if (req.method === 'PUT') return this.update(req, res, key, m[1] as string, m[2] as string);
    return send(res, 405, outcome('not-supported', 'method not allowed'));
  }

  private async update(req: IncomingMessage, res: ServerResponse, key: string, type: string, id: string): Promise<void> {
    const body = (await bodyOf(req)) as Record<string, unknown>;
    if (body.resourceType !== type || body.id !== id) return send(res, 400, outcome('invalid', 'resourceType and id must match the URL'));
    const current = this.resources.get(key);
    const ifMatch = req.headers['if-match'];
    if (ifMatch !== undefined && ifMatch !== `W/"${current?.version ?? ''}"`) return send(res, 412, outcome('conflict', 'version conflict'));
    const version = (current?.version ?? 0) + 1;
    const resource = { ...body, meta: { versionId: String(version), lastUpdated: new Date().toISOString() } };
    this.resources.set(key, { resource, version });
    return send(res, current ? 200 : 201, resource, { etag: `W/"${version}"` });
  }
}
