/**
 * The few FHIR R4 RESTful interactions the consumer needs (http://hl7.org/fhir/R4/http.html):
 * read, and update with version-aware concurrency (`If-Match: W/"<versionId>"`), which also creates a
 * resource under a client-chosen id ("update as create").
 */

/** A FHIR resource with its server version. */
export interface Versioned<T> {
  resource: T;
  /** The FHIR server's own `meta.versionId` (its ETag), not Passerelle's. */
  serverVersion: string | undefined;
}

/** A failed interaction. `retryable`: the server or the network failed; else the request was refused. */
export class FhirError extends Error {
  /**
   * @param status - HTTP status (0 for a network failure)
   * @param message - what happened
   */
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'FhirError';
  }

  get retryable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

/** A FHIR R4 client over fetch. */
export class FhirClient {
  /**
   * @param baseUrl - the FHIR base URL, without trailing slash
   * @param token - bearer token, if any
   */
  constructor(
    private readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  /**
   * Read `type/id`; null when the server has none (404 or 410).
   * @param type - resource type
   * @param id - logical id
   */
  async read<T extends { resourceType: string; meta?: { versionId?: string } }>(type: string, id: string): Promise<Versioned<T> | null> {
    const res = await this.call('GET', `${type}/${encodeURIComponent(id)}`);
    if (res.status === 404 || res.status === 410) return null;
    if (!res.ok) throw new FhirError(res.status, `read ${type}/${id}: HTTP ${res.status}`);
    const resource = (await res.json()) as T;
    return { resource, serverVersion: resource.meta?.versionId ?? etagVersion(res.headers.get('etag')) };
  }

  /**
   * Update (or create) `resource` at its id; `ifMatch` makes it conditional on the server version.
   * @param resource - the resource, with resourceType and id
   * @param ifMatch - the server version the update was computed from; omitted to create
   * @returns false when the server refused the condition (412/409: someone wrote meanwhile)
   */
  async update(resource: { resourceType: string; id?: string }, ifMatch?: string): Promise<boolean> {
    const res = await this.call('PUT', `${resource.resourceType}/${encodeURIComponent(resource.id ?? '')}`, resource, ifMatch ? { 'if-match': `W/"${ifMatch}"` } : {});
    if (res.status === 412 || res.status === 409) return false;
    if (!res.ok) throw new FhirError(res.status, `update ${resource.resourceType}/${resource.id ?? ''}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
    return true;
  }

  private async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    try {
      return await fetch(`${this.baseUrl}/${path}`, {
        method,
        headers: {
          accept: 'application/fhir+json',
          ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(30000),
      });
    } catch (err) {
      throw new FhirError(0, `${method} ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function etagVersion(etag: string | null): string | undefined {
  return etag ? /W\/"([^"]+)"/.exec(etag)?.[1] : undefined;
}
