/**
 * The iHRIS channel (source-systems.md §3): polls the iHRIS HAPI server's `Practitioner` and then
 * `PractitionerRole` by `_lastUpdated` (job and facility live only on the role), and takes pushed
 * resources or transaction Bundles (iHRIS's own import format). The base URL is the HAPI FHIR base
 * (`http://hapi:8080/hapi/fhir` on iHRIS's internal network; its backend proxy needs a login cookie).
 * Nothing is written back.
 */
import type { LiveSettings } from '../../config/live';
import { MediatorError } from '../../core/errors';
import { pullFhirChanges } from '../fhir-search';
import type { UpstreamClient } from '../http';
import type { InboundChannel, InboundRecord, PullOptions, PulledPage } from '../ports';

/** What the iHRIS channel needs of the live settings. */
export interface IhrisSettings {
  pageSize: number;
  identifierSystem: string;
}

/**
 * The iHRIS settings, or null when the channel is off or has no URL.
 * @param live - the live settings
 */
export function ihrisSettingsOf(live: LiveSettings): IhrisSettings | null {
  if (!live.ihrisEnabled || !live.ihrisBaseUrl) return null;
  return { pageSize: live.ihrisPageSize, identifierSystem: live.ihrisIdentifierSystem };
}

const MAPPINGS: Record<string, string> = { Practitioner: 'ihris-practitioner', PractitionerRole: 'ihris-practitioner-role' };

/** iHRIS as a channel. */
export class IhrisChannel implements InboundChannel {
  readonly name = 'ihris' as const;
  readonly pushResources = ['Practitioner', 'PractitionerRole', 'Bundle'] as const;

  /**
   * @param http - the upstream client (base URL = the HAPI FHIR base)
   * @param settings - the iHRIS settings
   */
  constructor(private readonly http: UpstreamClient, private readonly settings: IhrisSettings) {}

  scopes(): string[] {
    return ['Practitioner', 'PractitionerRole'];
  }

  async pull(scope: string, position: unknown, opts: PullOptions): Promise<PulledPage> {
    const page = await pullFhirChanges(this.http, { base: '', resourceType: scope, pageSize: this.settings.pageSize, label: `iHRIS ${scope}` }, position, opts);
    return { records: page.resources.map((r) => this.record(r, scope)), position: page.position, more: page.more, total: page.total, skipped: page.skipped };
  }

  recordsOfPush(resource: string, body: unknown): InboundRecord[] {
    if (!(this.pushResources as readonly string[]).includes(resource)) throw new MediatorError('not-found', `iHRIS pushes go to ${this.pushResources.join(', ')}`);
    const o = body as { resourceType?: unknown; entry?: unknown } | null;
    if (o?.resourceType === 'Bundle' && Array.isArray(o.entry)) {
      return o.entry.map((e: { resource?: { resourceType?: unknown } } | null) => this.record(e?.resource, typeof e?.resource?.resourceType === 'string' ? e.resource.resourceType : 'Practitioner'));
    }
    if (o?.resourceType === 'Practitioner' || o?.resourceType === 'PractitionerRole') return [this.record(o, o.resourceType)];
    throw new MediatorError('invalid', 'not a Practitioner, a PractitionerRole or a Bundle of them');
  }

  private record(resource: unknown, type: string): InboundRecord {
    const r = resource as { id?: unknown; meta?: { lastUpdated?: unknown } } | null;
    const id = typeof r?.id === 'string' && r.id !== '' ? r.id : undefined;
    const updatedAt = typeof r?.meta?.lastUpdated === 'string' ? r.meta.lastUpdated : undefined;
    return {
      channel: 'ihris', resourceType: MAPPINGS[type] ? type : 'Practitioner', deleted: false, mapping: MAPPINGS[type] ?? 'ihris-practitioner', payload: resource,
      ...(id ? { resourceId: id, sourceIdentifier: { system: type === 'PractitionerRole' ? `${this.settings.identifierSystem}/role` : this.settings.identifierSystem, value: id } } : {}),
      ...(updatedAt ? { updatedAt } : {}),
    };
  }
}
