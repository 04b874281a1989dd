/**
 * The DHIS2 channel (source-systems.md §1): polls tracked entities by `updatedAfter` in
 * `updatedAt` order with deleted entities included, per program (or tracked-entity type) and org
 * unit; reads every version's envelope; writes the MPI ID back to a configured tracked-entity
 * attribute through the tracker importer (or the legacy API).
 *
 * The cursor of a scope is `{updatedAfter, seen, page}`: `updatedAfter` is the last page's latest
 * `updatedAt` exactly as DHIS2 wrote it, `seen` the UIDs already taken in at that instant (DHIS2's
 * `updatedAfter` is inclusive, so they come back and are skipped), and `page` moves on only while a
 * whole page shares one instant. Asking from the new instant after every page, rather than paging
 * through one fixed query, means an entity edited during a run moves to a later page instead of
 * shifting the others past the cursor.
 */
import type { LiveSettings } from '../../config/live';
import { MediatorError } from '../../core/errors';
import type { OrchestrationSink } from '../../core/orchestration';
import type { UpstreamAuth, UpstreamClient } from '../http';
import type { InboundChannel, InboundRecord, PullOptions, PulledPage, WriteBackOutcome } from '../ports';
import { Dhis2Client } from './client';
import type { ExportQuery } from './client';
import { dhis2TimeKey, readTrackedEntityPage, trackedEntityHead } from './envelope';
import { writeBackMpiIds } from './write-back';

/** The Sierra Leone demo database's Person type, polled when neither programs nor a type are set. */
export const DEFAULT_TRACKED_ENTITY_TYPE = 'nEenWmSyUEp';

/** What the DHIS2 channel needs of the live settings. */
export interface Dhis2Settings {
  pageSize: number;
  programs: string[];
  orgUnits: string[];
  trackedEntityType: string;
  mpiIdAttribute?: string;
  legacyApi: boolean;
  identifierSystem: string;
}

/** A scope's cursor. */
export interface Dhis2Position {
  updatedAfter?: string;
  seen: string[];
  page: number;
}

/**
 * The DHIS2 settings, or null when the channel is off or has no URL.
 * @param live - the live settings
 */
export function dhis2SettingsOf(live: LiveSettings): Dhis2Settings | null {
  if (!live.dhis2Enabled || !live.dhis2BaseUrl) return null;
  return {
    pageSize: live.dhis2PageSize, programs: live.dhis2Programs, orgUnits: live.dhis2OrgUnits, trackedEntityType: live.dhis2TrackedEntityType ?? DEFAULT_TRACKED_ENTITY_TYPE,
    mpiIdAttribute: live.dhis2MpiIdAttribute, legacyApi: live.dhis2LegacyApi, identifierSystem: live.dhis2IdentifierSystem,
  };
}

/**
 * How to authenticate with a source: a DHIS2 personal access token first, else Basic, else none.
 * @param username - user name
 * @param password - password
 * @param apiToken - personal access token
 */
export function upstreamAuth(username: string | undefined, password: string | undefined, apiToken?: string): UpstreamAuth {
  if (apiToken) return { kind: 'api-token', token: apiToken };
  if (username && password) return { kind: 'basic', username, password };
  return { kind: 'none' };
}

function parseScope(scope: string): { program?: string; trackedEntityType?: string; orgUnit?: string } {
  const out: Record<string, string> = {};
  for (const part of scope.split(';')) {
    const [k, v] = part.split('=');
    if (k && v && v !== '*') out[k] = v;
  }
  return out;
}

/** DHIS2 as a channel. */
export class Dhis2Channel implements InboundChannel {
  readonly name = 'dhis2' as const;
  readonly pushResources = ['trackedEntities', 'trackedEntityInstances'] as const;
  private readonly client: Dhis2Client;
  /** Whether the server takes the 2.41+ parameter names (orgUnits, orgUnitMode); asked once. */
  private newNames?: Promise<boolean>;

  /**
   * @param http - the upstream client
   * @param settings - the DHIS2 settings
   */
  constructor(http: UpstreamClient, private readonly settings: Dhis2Settings) {
    this.client = new Dhis2Client(http);
  }

  scopes(): string[] {
    const sources = this.settings.programs.length > 0 ? this.settings.programs.map((p) => `program=${p}`) : [`trackedEntityType=${this.settings.trackedEntityType}`];
    const units = this.settings.orgUnits.length > 0 ? this.settings.orgUnits : ['*'];
    return sources.flatMap((s) => units.map((u) => `${s};orgUnit=${u}`));
  }

  async pull(scope: string, position: unknown, opts: PullOptions): Promise<PulledPage> {
    const at = (position as Dhis2Position | null) ?? { seen: [], page: 1 };
    const body = this.settings.legacyApi
      ? await this.client.trackedEntityInstances(this.legacyQuery(scope, at, opts.wantTotal), opts.sink)
      : await this.client.trackedEntities(await this.query(scope, at, opts), opts.sink);
    const page = readTrackedEntityPage(body);
    const heads = page.items.map(trackedEntityHead);
    const seen = new Set(at.seen);
    const atKey = at.updatedAfter !== undefined ? dhis2TimeKey(at.updatedAfter) : undefined;
    const fresh = page.items.filter((_, i) => {
      const h = heads[i];
      return !(h?.uid && h.updatedAt !== undefined && seen.has(h.uid) && dhis2TimeKey(h.updatedAt) === atKey);
    });
    const more = page.pageCount !== undefined && page.page !== undefined ? page.page < page.pageCount : page.items.length >= this.settings.pageSize;
    return { records: fresh.map((item) => this.record(item)), position: nextPosition(at, heads, more), more, total: page.total, skipped: page.items.length - fresh.length };
  }

  recordsOfPush(resource: string, body: unknown): InboundRecord[] {
    if (!(this.pushResources as readonly string[]).includes(resource)) throw new MediatorError('not-found', `DHIS2 pushes go to ${this.pushResources.join(' or ')}`);
    const o = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : null;
    if (o && ('trackedEntity' in o || 'trackedEntityInstance' in o)) return [this.record(o)];
    try {
      return readTrackedEntityPage(body).items.map((item) => this.record(item));
    } catch (err) {
      throw new MediatorError('invalid', `not a tracked entity or a page of them: ${(err as Error).message}`);
    }
  }

  async writeBack(items: Array<{ record: InboundRecord; mpiId: string }>, sink: OrchestrationSink): Promise<WriteBackOutcome[]> {
    const attribute = this.settings.mpiIdAttribute;
    if (!attribute) return items.map((i) => ({ ...i, status: 'already' }));
    return writeBackMpiIds(this.client, { attribute, legacyApi: this.settings.legacyApi, trackedEntityType: this.settings.trackedEntityType }, items, sink);
  }

  private record(item: unknown): InboundRecord {
    const h = trackedEntityHead(item);
    return {
      channel: 'dhis2', resourceType: 'trackedEntity', deleted: h.deleted, mapping: 'dhis2-tracked-entity', payload: item,
      ...(h.uid ? { resourceId: h.uid, sourceIdentifier: { system: this.settings.identifierSystem, value: h.uid } } : {}),
      ...(h.updatedAt ? { updatedAt: h.updatedAt } : {}),
    };
  }

  private async query(scope: string, at: Dhis2Position, opts: PullOptions): Promise<ExportQuery> {
    this.newNames ??= this.client.version(opts.sink).then((v) => !v || !/^2\.(3\d|40)\./.test(v), () => true);
    const { program, trackedEntityType, orgUnit } = parseScope(scope);
    const units = (await this.newNames)
      ? { orgUnits: orgUnit, orgUnitMode: orgUnit ? 'DESCENDANTS' : 'ACCESSIBLE' }
      : { orgUnit, ouMode: orgUnit ? 'DESCENDANTS' : 'ACCESSIBLE' };
    return {
      program, trackedEntityType, ...units, updatedAfter: at.updatedAfter, order: 'updatedAt:asc', includeDeleted: true,
      page: at.page, pageSize: this.settings.pageSize, ...(opts.wantTotal ? { totalPages: true } : {}),
    };
  }

  private legacyQuery(scope: string, at: Dhis2Position, wantTotal?: boolean): ExportQuery {
    const { program, trackedEntityType, orgUnit } = parseScope(scope);
    return {
      program, trackedEntityType, ou: orgUnit, ouMode: orgUnit ? 'DESCENDANTS' : 'ACCESSIBLE', lastUpdatedStartDate: at.updatedAfter,
      order: 'lastUpdated:asc', includeDeleted: true, page: at.page, pageSize: this.settings.pageSize, totalPages: wantTotal === true,
    };
  }
}

/**
 * The cursor after a page: the page's latest instant and the UIDs taken in at it; when a full page
 * shares the cursor's instant (more entities at one instant than a page holds), the next page of it.
 * @param at - the cursor the page was asked with
 * @param heads - the page's items (UID, updatedAt)
 * @param full - the page was full (the source has more)
 */
export function nextPosition(at: Dhis2Position, heads: Array<{ uid?: string; updatedAt?: string }>, full: boolean): Dhis2Position {
  const atKey = at.updatedAfter !== undefined ? dhis2TimeKey(at.updatedAfter) : undefined;
  let latest = at.updatedAfter;
  let latestKey = atKey;
  for (const h of heads) {
    if (h.updatedAt === undefined) continue;
    const k = dhis2TimeKey(h.updatedAt);
    if (latestKey === undefined || k > latestKey) {
      latest = h.updatedAt;
      latestKey = k;
    }
  }
  const atLatest = heads.filter((h) => h.uid && h.updatedAt !== undefined && dhis2TimeKey(h.updatedAt) === latestKey).map((h) => h.uid as string);
  if (latestKey === atKey) {
    // No newer instant on this page: stay at it, and page on only past a full page of it.
    return { ...(at.updatedAfter !== undefined ? { updatedAfter: at.updatedAfter } : {}), seen: [...new Set([...at.seen, ...atLatest])], page: full ? at.page + 1 : 1 };
  }
  return { ...(latest !== undefined ? { updatedAfter: latest } : {}), seen: atLatest, page: 1 };
}
