/**
 * DHIS2 tracked-entity pages in every version's envelope (source-systems.md §1.1): items from
 * `trackedEntities`, else `instances`, else `trackedEntityInstances`; paging from `pager`, else the
 * root object. The shape is read from the content, never assumed from the server's version, so an
 * instance answering in another shape than its version suggests is still read. Timestamps are
 * compared as written (server-local, no offset: §1.5).
 */
import { MediatorError } from '../../core/errors';

/** Which envelope a page came in. */
export type Dhis2PageShape = '2.42' | '2.41' | '2.36-2.40' | 'legacy';

/** A page taken out of its envelope. */
export interface Dhis2Page {
  shape: Dhis2PageShape;
  items: unknown[];
  page?: number;
  pageSize?: number;
  total?: number;
  pageCount?: number;
}

const ITEM_FIELDS: Array<[string, Dhis2PageShape]> = [['trackedEntities', '2.42'], ['instances', '2.36-2.40'], ['trackedEntityInstances', 'legacy']];

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Take a page out of its envelope; throws `invalid` (naming what is missing) for a body of no known shape.
 * @param body - the parsed response
 */
export function readTrackedEntityPage(body: unknown): Dhis2Page {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new MediatorError('invalid', 'the DHIS2 page is not a JSON object');
  const o = body as Record<string, unknown>;
  const found = ITEM_FIELDS.find(([field]) => field in o);
  if (!found) throw new MediatorError('invalid', 'the DHIS2 page has none of trackedEntities, instances or trackedEntityInstances');
  const [field, base] = found;
  const items = o[field];
  if (!Array.isArray(items)) throw new MediatorError('invalid', `the DHIS2 page's ${field} is not an array`);
  const pager = o.pager !== null && typeof o.pager === 'object' ? (o.pager as Record<string, unknown>) : o;
  // 2.41 keeps deprecated copies of the page fields at the top level beside `pager`.
  const shape: Dhis2PageShape = base === '2.42' && o.pager !== undefined && 'page' in o ? '2.41' : base;
  return { shape, items, page: num(pager.page), pageSize: num(pager.pageSize), total: num(pager.total), pageCount: num(pager.pageCount) };
}

/**
 * Sortable form of a DHIS2 timestamp: `T` or space separator, fraction padded to milliseconds, any
 * zone suffix dropped (DHIS2 writes server-local time; values of one server compare as written).
 * @param ts - a timestamp as DHIS2 wrote it
 */
export function dhis2TimeKey(ts: string): string {
  const [date, time = ''] = ts.trim().replace(' ', 'T').replace(/(Z|[+-]\d{2}:?\d{2})$/, '').split('T');
  const [hms = '00:00:00', frac = ''] = time.split('.');
  return `${date ?? ''}T${hms.padEnd(8, ':00')}.${frac.padEnd(3, '0').slice(0, 3)}`;
}

/** What the sync needs of one tracked entity before mapping. */
export interface TrackedEntityHead {
  uid?: string;
  updatedAt?: string;
  deleted: boolean;
  trackedEntityType?: string;
  orgUnit?: string;
}

/**
 * UID, last update and deletion of an item in 2.36+ or legacy field names (in the legacy API
 * `trackedEntity` names the type, `trackedEntityInstance` the entity).
 * @param item - one item of a page
 */
export function trackedEntityHead(item: unknown): TrackedEntityHead {
  if (item === null || typeof item !== 'object') return { deleted: false };
  const o = item as Record<string, unknown>;
  const legacy = typeof o.trackedEntityInstance === 'string';
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  return {
    uid: str(legacy ? o.trackedEntityInstance : o.trackedEntity),
    updatedAt: str(legacy ? o.lastUpdated : o.updatedAt) ?? str(o.lastUpdated),
    deleted: o.deleted === true,
    trackedEntityType: str(legacy ? o.trackedEntity : o.trackedEntityType),
    orgUnit: str(o.orgUnit),
  };
}
