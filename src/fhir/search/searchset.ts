/**
 * Searchset Bundles: entries with `fullUrl`, `total`, and `self` / `first` / `next` / `previous`
 * links that repeat exactly the parameters that were honoured, plus an OperationOutcome entry
 * reporting the parameters that were ignored.
 */
import type { Bundle, BundleEntry, BundleLink, FhirResource, OperationOutcome } from 'fhir/r4';
import { MediatorError } from '../../core/errors';

/** Paging and presentation controls common to every search. */
export interface SearchControls {
  count: number;
  offset: number;
  summaryCount: boolean;
  total: 'none' | 'estimate' | 'accurate';
}

function intParam(values: string[] | undefined, name: string): number | undefined {
  const v = values?.[0];
  if (v === undefined) return undefined;
  if (!/^\d{1,9}$/.test(v)) throw new MediatorError('invalid', `${name} must be a non-negative integer`, { expression: name });
  return Number(v);
}

/**
 * Read `_count`, `_offset`, `_summary` and `_total`; `_count` is bounded by `maxCount`.
 * @param query - the query parameters
 * @param defaultCount - page size when `_count` is absent
 * @param maxCount - upper bound of `_count`
 */
export function parseControls(query: Record<string, string[]>, defaultCount: number, maxCount: number): SearchControls {
  const count = Math.min(intParam(query._count, '_count') ?? defaultCount, maxCount);
  const offset = intParam(query._offset, '_offset') ?? 0;
  const summary = query._summary?.[0];
  if (summary !== undefined && summary !== 'count' && summary !== 'false') {
    throw new MediatorError('invalid', '_summary supports count and false', { expression: '_summary' });
  }
  const total = query._total?.[0] ?? 'accurate';
  if (total !== 'none' && total !== 'estimate' && total !== 'accurate') {
    throw new MediatorError('invalid', '_total must be none, estimate or accurate', { expression: '_total' });
  }
  return { count, offset, summaryCount: summary === 'count', total };
}

/**
 * Whether the request asked for strict handling of unknown parameters.
 * @param prefer - the Prefer header
 */
export function isStrict(prefer: string | undefined): boolean {
  return /(^|[;,\s])handling\s*=\s*strict\b/i.test(prefer ?? '');
}

/**
 * Reject unknown parameters under strict handling; otherwise return a warning outcome (or nothing).
 * @param unknown - unknown parameter names
 * @param prefer - the Prefer header
 */
export function unknownParamsOutcome(unknown: string[], prefer: string | undefined): OperationOutcome | undefined {
  if (unknown.length === 0) return undefined;
  const text = `Unknown or unsupported search parameters ignored: ${unknown.join(', ')}`;
  if (isStrict(prefer)) throw new MediatorError('invalid', text.replace(' ignored', ''));
  return { resourceType: 'OperationOutcome', issue: [{ severity: 'warning', code: 'not-supported', diagnostics: text }] };
}

/** Everything needed to build a searchset. */
export interface SearchsetInput {
  baseUrl: string;
  /** Base-relative search path, e.g. `Patient`. */
  path: string;
  honoured: Array<[string, string]>;
  controls: SearchControls;
  /** Extra parameters repeated in every link (e.g. `_sort`). */
  extra?: Array<[string, string]>;
  total: number;
  resources: FhirResource[];
  warning?: OperationOutcome;
}

function pageUrl(input: SearchsetInput, offset: number): string {
  const qs = new URLSearchParams([...input.honoured, ...(input.extra ?? [])]);
  qs.set('_count', String(input.controls.count));
  if (offset > 0) qs.set('_offset', String(offset));
  if (input.controls.summaryCount) qs.set('_summary', 'count');
  return `${input.baseUrl}/${input.path}?${qs.toString()}`;
}

function links(input: SearchsetInput): BundleLink[] {
  const { count, offset } = input.controls;
  const out: BundleLink[] = [{ relation: 'self', url: pageUrl(input, offset) }];
  if (input.controls.summaryCount || count === 0) return out;
  out.push({ relation: 'first', url: pageUrl(input, 0) });
  if (offset > 0) out.push({ relation: 'previous', url: pageUrl(input, Math.max(0, offset - count)) });
  if (offset + count < input.total) out.push({ relation: 'next', url: pageUrl(input, offset + count) });
  return out;
}

/**
 * Build a searchset Bundle.
 * @param input - results and paging state
 */
export function searchset(input: SearchsetInput): Bundle {
  const entry: BundleEntry[] = input.controls.summaryCount
    ? []
    : input.resources.map((r) => ({ fullUrl: `${input.baseUrl}/${r.resourceType}/${r.id ?? ''}`, resource: r, search: { mode: 'match' } }));
  if (input.warning) entry.push({ fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource: input.warning, search: { mode: 'outcome' } });
  const bundle: Bundle = { resourceType: 'Bundle', id: crypto.randomUUID(), meta: { lastUpdated: new Date().toISOString() }, type: 'searchset' };
  if (input.controls.total !== 'none') bundle.total = input.total;
  bundle.link = links(input);
  if (entry.length > 0) bundle.entry = entry;
  return bundle;
}
