/**
 * A fake FHIR R4 server on loopback with the paging of the servers the channels read: the OpenMRS
 * FHIR2 module (HAPI inside, `_count` capped at 100, default 10) and iHRIS's HAPI server. Search by
 * `_lastUpdated=ge…` sorted by `_lastUpdated`; the next link is a server-side snapshot
 * (`?_getpages=<id>&_getpagesoffset=N&_count=N`) that answers 410 once the server forgets it.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, Resource } from 'fhir/r4';
import { HttpFake } from './http-fake';
import type { FakeAuth, FakeReply, FakeRequest } from './http-fake';

/** The fake FHIR server. */
export class FakeFhirServer {
  readonly http: HttpFake;
  readonly resources = new Map<string, Map<string, Resource>>();
  private readonly snapshots = new Map<string, { type: string; ids: string[] }>();
  private clock = Date.UTC(2026, 0, 5, 8, 0, 0);

  /**
   * @param base - path of the FHIR base (`/ws/fhir2/R4`, `/fhir`)
   * @param opts - credentials, path prefix, page size cap and default
   */
  constructor(private readonly base: string, opts: { auth?: FakeAuth; prefix?: string; maxCount?: number; defaultCount?: number } = {}) {
    this.http = new HttpFake(opts.auth ?? {}, opts.prefix ?? '');
    const esc = base.replace(/\//g, '\\/');
    this.http.route('GET', new RegExp(`^${esc}\\/?$`), (r) => this.page(r));
    this.http.route('GET', new RegExp(`^${esc}\\/([A-Za-z]+)$`), (r, [type]) => this.search(r, type ?? '', opts.maxCount ?? 1000, opts.defaultCount ?? 20));
    this.http.route('GET', new RegExp(`^${esc}\\/([A-Za-z]+)\\/([A-Za-z0-9.-]+)$`), (_r, [type, id]) => {
      const res = this.resources.get(type ?? '')?.get(id ?? '');
      return res ? { body: res, headers: { 'content-type': 'application/fhir+json' } } : { status: 404, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found' }] } };
    });
  }

  get url(): string {
    return this.http.url;
  }

  start(port = 0): Promise<string> {
    return this.http.start(port);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** The next instant, as HAPI writes `meta.lastUpdated` (with an offset). */
  tick(): string {
    this.clock += 1;
    return new Date(this.clock).toISOString().replace('Z', '+00:00');
  }

  /**
   * Store resources, stamping `meta.lastUpdated` and `meta.versionId`.
   * @param resources - resources with ids
   */
  put(...resources: Array<Resource | object>): void {
    for (const r of resources as Resource[]) {
      const at = this.tick();
      const byType = this.resources.get(r.resourceType) ?? new Map<string, Resource>();
      const prev = byType.get(r.id ?? '');
      byType.set(r.id ?? '', { ...r, meta: { ...r.meta, lastUpdated: at, versionId: String(Number(prev?.meta?.versionId ?? 0) + 1) } });
      this.resources.set(r.resourceType, byType);
    }
  }

  /**
   * A stored resource.
   * @param type - resource type
   * @param id - id
   */
  get<T extends Resource>(type: string, id: string): T | undefined {
    return this.resources.get(type)?.get(id) as T | undefined;
  }

  /** Forget every paging snapshot (a server restart). */
  forgetPages(): void {
    this.snapshots.clear();
  }

  private search(r: FakeRequest, type: string, maxCount: number, defaultCount: number): FakeReply {
    const ge = r.query.get('_lastUpdated');
    const from = ge?.startsWith('ge') ? Date.parse(ge.slice(2)) : Number.NEGATIVE_INFINITY;
    const ids = [...(this.resources.get(type)?.values() ?? [])]
      .filter((res) => Date.parse(res.meta?.lastUpdated ?? '') >= from)
      .sort((a, b) => Date.parse(a.meta?.lastUpdated ?? '') - Date.parse(b.meta?.lastUpdated ?? '') || ((a.id ?? '') < (b.id ?? '') ? -1 : 1))
      .map((res) => res.id ?? '');
    const id = randomUUID();
    this.snapshots.set(id, { type, ids });
    return this.bundle(id, 0, Math.min(maxCount, Number(r.query.get('_count') ?? defaultCount)));
  }

  private page(r: FakeRequest): FakeReply {
    const id = r.query.get('_getpages') ?? '';
    if (!this.snapshots.has(id)) return { status: 410, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'processing', diagnostics: `Search id ${id} not found` }] } };
    return this.bundle(id, Number(r.query.get('_getpagesoffset') ?? 0), Number(r.query.get('_count') ?? 10));
  }

  private bundle(snapshot: string, offset: number, count: number): FakeReply {
    const s = this.snapshots.get(snapshot) as { type: string; ids: string[] };
    const slice = s.ids.slice(offset, offset + count);
    const byType = this.resources.get(s.type);
    const entry = slice.flatMap((id) => {
      const res = byType?.get(id);
      return res ? [{ fullUrl: `${this.url}${this.base}/${s.type}/${id}`, resource: res, search: { mode: 'match' as const } }] : [];
    });
    const link: Bundle['link'] = [{ relation: 'self', url: `${this.url}${this.base}/${s.type}` }];
    if (offset + count < s.ids.length) link.push({ relation: 'next', url: `${this.url}${this.base}?_getpages=${snapshot}&_getpagesoffset=${offset + count}&_count=${count}&_bundletype=searchset` });
    const bundle: Bundle = { resourceType: 'Bundle', id: randomUUID(), type: 'searchset', total: s.ids.length, link, entry };
    return { body: bundle, headers: { 'content-type': 'application/fhir+json' } };
  }
}
