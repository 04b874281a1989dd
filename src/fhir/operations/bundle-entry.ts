/** Turning a Bundle entry's `request` into a `FhirRequest`, and a handler result into an entry response. */
import type { Bundle, BundleEntry, BundleEntryResponse, FhirResource } from 'fhir/r4';
import { MediatorError } from '../../core/errors';
import { normaliseError, toOperationOutcome } from '../../core/outcome';
import { getStatus } from '../outcomes';
import type { FhirContext, FhirRequest, FhirResult, HttpMethod } from '../types';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const STATUS_TEXT: Record<number, string> = { 200: '200 OK', 201: '201 Created', 204: '204 No Content' };

/**
 * The FhirRequest of a batch/transaction entry.
 * @param entry - the Bundle entry
 * @param parent - the Bundle request (actor, scopes, Prefer)
 * @param baseUrl - the FHIR base, stripped from absolute entry URLs
 */
export function entryRequest(entry: BundleEntry, parent: FhirRequest, baseUrl: string): FhirRequest {
  const r = entry.request;
  if (!r?.method || !METHODS.has(r.method) || typeof r.url !== 'string') {
    throw new MediatorError('invalid', 'Each entry needs request.method (GET, POST, PUT, PATCH, DELETE) and request.url');
  }
  const rel = r.url.startsWith(baseUrl) ? r.url.slice(baseUrl.length) : r.url;
  const [path = '', qs = ''] = rel.replace(/^\//, '').split('?', 2);
  if (!path || path.startsWith('$')) throw new MediatorError('invalid', 'Entries cannot target the system endpoint (no nested bundles)');
  const query: Record<string, string[]> = {};
  for (const [k, v] of new URLSearchParams(qs)) if (k !== '_format') (query[k] ??= []).push(v);
  return {
    method: r.method as HttpMethod, path, params: {}, query, body: entry.resource,
    contentType: entry.resource?.resourceType === 'Binary' ? undefined : 'application/fhir+json',
    ifMatch: r.ifMatch, ifNoneExist: r.ifNoneExist, prefer: parent.prefer, actor: parent.actor, scopes: parent.scopes,
  };
}

/**
 * A successful handler result as a response entry.
 * @param api - handler context
 * @param result - what the handler returned
 */
export function successEntry(api: FhirContext, result: FhirResult): BundleEntry {
  const [outcome, resource, headers] = result;
  const status = getStatus(outcome);
  const response: BundleEntryResponse = { status: STATUS_TEXT[status] ?? String(status) };
  if (headers?.Location) response.location = headers.Location;
  if (headers?.ETag) response.etag = headers.ETag;
  const res = resource as FhirResource | undefined;
  const fullUrl = res?.id && res.resourceType !== 'OperationOutcome' && res.resourceType !== 'Bundle' ? `${api.baseUrl}/${res.resourceType}/${res.id}` : undefined;
  return { ...(fullUrl ? { fullUrl } : {}), ...(res ? { resource: res } : {}), response };
}

/**
 * A failed entry (batch): status and OperationOutcome.
 * @param err - what the handler threw
 */
export function errorEntry(err: unknown): BundleEntry {
  const e = normaliseError(err);
  return { response: { status: String(e.info.httpStatus), outcome: toOperationOutcome(e) } };
}

/**
 * Check that the body is a Bundle of the expected type(s).
 * @param body - the request body
 * @param types - accepted Bundle types
 */
export function bundleOf(body: unknown, types: string[]): Bundle {
  const b = body as Bundle | undefined;
  if (b?.resourceType !== 'Bundle') throw new MediatorError('invalid', 'Expected a Bundle', { expression: 'resourceType' });
  if (!types.includes(b.type)) throw new MediatorError('invalid', `Bundle.type must be ${types.join(' or ')}`, { expression: 'Bundle.type' });
  return b;
}
