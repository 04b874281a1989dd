/**
 * Polling a FHIR server for changes (the OpenMRS FHIR2 module, iHRIS's HAPI server):
 * `{type}?_lastUpdated=ge{cursor}&_sort=_lastUpdated&_count=N`, then the searchset's `next` links
 * (a server-side snapshot: OpenMRS `_getpages`, HAPI paging ids). The cursor keeps the latest
 * `meta.lastUpdated` taken in, the ids taken in at that instant (`ge` is inclusive, so they come back
 * and are skipped) and the next link; a next link the server has forgotten (its page cache expired
 * after a restart) falls back to a new search from the instant.
 */
import type { Bundle, Resource } from 'fhir/r4';
import { MediatorError } from '../core/errors';
import type { UpstreamClient } from './http';
import type { PullOptions } from './ports';
import { UpstreamError } from './upstream-error';

/** A FHIR search cursor. */
export interface FhirSearchPosition {
  lastUpdated?: string;
  seen: string[];
  next?: string;
}

/** One page of a FHIR change search. */
export interface FhirSearchPage {
  /** Entries' resources (any shape: validation is the mapping's job). */
  resources: unknown[];
  position: FhirSearchPosition;
  more: boolean;
  total?: number;
  skipped: number;
}

/** What to search. */
export interface FhirSearchRequest {
  /** Path of the FHIR base under the client's base URL (`ws/fhir2/R4`, `` for HAPI at the root). */
  base: string;
  resourceType: string;
  pageSize: number;
  /** Orchestration name prefix, e.g. `OpenMRS Patient`. */
  label: string;
}

function meta(r: unknown): { id?: string; lastUpdated?: string } {
  const o = r as Resource | null;
  return { id: typeof o?.id === 'string' ? o.id : undefined, lastUpdated: typeof o?.meta?.lastUpdated === 'string' ? o.meta.lastUpdated : undefined };
}

function readBundle(body: unknown, resourceType: string): Bundle {
  const b = body as Bundle | null;
  if (b === null || typeof b !== 'object' || b.resourceType !== 'Bundle') throw new MediatorError('invalid', `the ${resourceType} search did not answer with a Bundle`);
  if (b.entry !== undefined && !Array.isArray(b.entry)) throw new MediatorError('invalid', `the ${resourceType} searchset's entry is not an array`);
  return b;
}

async function fetchPage(http: UpstreamClient, req: FhirSearchRequest, at: FhirSearchPosition, opts: PullOptions): Promise<Bundle> {
  if (at.next) {
    try {
      return readBundle((await http.request({ method: 'GET', path: at.next, name: `${req.label} next page` }, opts.sink)).data, req.resourceType);
    } catch (err) {
      // The server forgot its paging snapshot (404/410 after a restart): search again from the instant.
      if (!(err instanceof UpstreamError) || (err.status !== 404 && err.status !== 410)) throw err;
    }
  }
  const query = {
    _lastUpdated: at.lastUpdated ? `ge${at.lastUpdated}` : undefined, _sort: '_lastUpdated', _count: req.pageSize, ...(opts.wantTotal ? { _total: 'accurate' } : {}),
  };
  const path = `${req.base ? `${req.base.replace(/\/+$/, '')}/` : ''}${req.resourceType}`;
  return readBundle((await http.request({ method: 'GET', path, query, name: `${req.label} search` }, opts.sink)).data, req.resourceType);
}

/**
 * The next page of changes after `position`.
 * @param http - the FHIR server's client
 * @param req - what to search
 * @param position - the stored cursor (null: from the beginning)
 * @param opts - sink, total wanted
 */
export async function pullFhirChanges(http: UpstreamClient, req: FhirSearchRequest, position: unknown, opts: PullOptions): Promise<FhirSearchPage> {
  const at = (position as FhirSearchPosition | null) ?? { seen: [] };
  const bundle = await fetchPage(http, req, at, opts);
  const resources = (bundle.entry ?? []).map((e) => e?.resource as unknown);
  const atTime = at.lastUpdated ? Date.parse(at.lastUpdated) : undefined;
  const seen = new Set(at.seen);
  const fresh = resources.filter((r) => {
    const m = meta(r);
    return !(m.id && m.lastUpdated && seen.has(m.id) && Date.parse(m.lastUpdated) === atTime);
  });
  const next = bundle.link?.find((l) => l.relation === 'next')?.url;
  return { resources: fresh, position: nextFhirPosition(at, resources, next), more: next !== undefined, total: typeof bundle.total === 'number' ? bundle.total : undefined, skipped: resources.length - fresh.length };
}

/**
 * The cursor after a page: the latest `meta.lastUpdated`, the ids at it, and the next link.
 * @param at - the cursor the page was asked with
 * @param resources - the page's resources
 * @param next - the searchset's next link
 */
export function nextFhirPosition(at: FhirSearchPosition, resources: unknown[], next: string | undefined): FhirSearchPosition {
  let latest = at.lastUpdated;
  let latestTime = latest ? Date.parse(latest) : Number.NEGATIVE_INFINITY;
  for (const r of resources) {
    const m = meta(r);
    const t = m.lastUpdated ? Date.parse(m.lastUpdated) : Number.NaN;
    if (t > latestTime) {
      latest = m.lastUpdated;
      latestTime = t;
    }
  }
  const atLatest = resources.map(meta).filter((m) => m.id && m.lastUpdated && Date.parse(m.lastUpdated) === latestTime).map((m) => m.id as string);
  const seen = latest === at.lastUpdated ? [...new Set([...at.seen, ...atLatest])] : atLatest;
  return { ...(latest ? { lastUpdated: latest } : {}), seen, ...(next ? { next } : {}) };
}
