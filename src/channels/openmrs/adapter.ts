/**
 * The OpenMRS channel (source-systems.md §2): polls FHIR2 `Patient?_lastUpdated` following the
 * searchset's next links — or, with OPENMRS_CHANGE_FEED=atomfeed, the Atom Feed module's patient
 * feed with each patient read through REST Web Services v1 (an OpenMRS without FHIR2; voided
 * patients deactivate their source records) — takes pushed FHIR2 Patients, Bundles and REST v1
 * patients, and writes the MPI ID back as a patient identifier of a configured type through REST v1 —
 * added, or corrected when the patient holds another value, never duplicated.
 */
import type { LiveSettings } from '../../config/live';
import { MediatorError } from '../../core/errors';
import type { OrchestrationSink } from '../../core/orchestration';
import type { UpstreamClient } from '../http';
import type { InboundChannel, InboundRecord, PullOptions, PulledPage, WriteBackOutcome } from '../ports';
import { UpstreamError } from '../upstream-error';
import { OpenmrsClient } from './client';
import { pullPatientFeed } from './feed-pull';

/** What the OpenMRS channel needs of the live settings. */
export interface OpenmrsSettings {
  /** How changes are read: the FHIR2 Patient search, or the Atom Feed module's feed with REST v1 reads. */
  changeFeed?: 'fhir2' | 'atomfeed';
  pageSize: number;
  identifierSystem: string;
  mpiIdentifierType?: string;
  mpiIdentifierLocation?: string;
}

/**
 * The OpenMRS settings, or null when the channel is off or has no URL.
 * @param live - the live settings
 */
export function openmrsSettingsOf(live: LiveSettings): OpenmrsSettings | null {
  if (!live.openmrsEnabled || !live.openmrsBaseUrl) return null;
  return {
    changeFeed: live.openmrsChangeFeed, pageSize: live.openmrsPageSize, identifierSystem: live.openmrsIdentifierSystem,
    mpiIdentifierType: live.openmrsMpiIdentifierType, mpiIdentifierLocation: live.openmrsMpiIdentifierLocation,
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The MPI identifier a patient payload (FHIR2 or REST v1) already holds: its UUID and value. */
function heldIdentifier(payload: unknown, typeUuid: string): { uuid?: string; value?: string } | undefined {
  if (!isObj(payload)) return undefined;
  if (Array.isArray(payload.identifiers)) {
    const id = (payload.identifiers as Obj[]).find((i) => isObj(i) && isObj(i.identifierType) && i.identifierType.uuid === typeUuid && i.voided !== true);
    return id ? { uuid: str(id.uuid), value: str(id.identifier) } : undefined;
  }
  const list = Array.isArray(payload.identifier) ? (payload.identifier as Obj[]) : isObj(payload.identifier) ? [payload.identifier] : [];
  const id = list.find((i) => isObj(i) && isObj(i.type) && Array.isArray(i.type.coding) && (i.type.coding as Obj[])[0]?.code === typeUuid);
  return id ? { uuid: str(id.id), value: str(id.value) } : undefined;
}

/** The scope (and cursor) of the Atom Feed module's patient feed. */
export const PATIENT_FEED_SCOPE = 'atomfeed:patient';

/** OpenMRS as a channel. */
export class OpenmrsChannel implements InboundChannel {
  readonly name = 'openmrs' as const;
  readonly pushResources = ['Patient', 'patient'] as const;
  private readonly client: OpenmrsClient;

  /**
   * @param http - the upstream client (base URL = the OpenMRS root)
   * @param settings - the OpenMRS settings
   */
  constructor(http: UpstreamClient, private readonly settings: OpenmrsSettings) {
    this.client = new OpenmrsClient(http);
  }

  scopes(): string[] {
    // Each way of reading has its own cursor: switching back and forth never misreads a position.
    return [this.settings.changeFeed === 'atomfeed' ? PATIENT_FEED_SCOPE : 'Patient'];
  }

  async pull(scope: string, position: unknown, opts: PullOptions): Promise<PulledPage> {
    if (scope === PATIENT_FEED_SCOPE) return pullPatientFeed(this.client, position, (payload, deleted) => ({ ...this.record(payload, 'openmrs-rest-patient'), deleted }), opts.sink);
    const page = await this.client.patientChanges(position, this.settings.pageSize, opts);
    return { records: page.resources.map((r) => this.record(r, 'openmrs-fhir2-patient')), position: page.position, more: page.more, total: page.total, skipped: page.skipped };
  }

  recordsOfPush(resource: string, body: unknown): InboundRecord[] {
    if (!(this.pushResources as readonly string[]).includes(resource)) throw new MediatorError('not-found', 'OpenMRS pushes go to Patient (FHIR2) or patient (REST v1)');
    if (!isObj(body)) throw new MediatorError('invalid', 'not an OpenMRS patient, Bundle or REST result list');
    if (body.resourceType === 'Bundle') return (Array.isArray(body.entry) ? (body.entry as Obj[]) : []).map((e) => this.record(isObj(e) ? e.resource : e, 'openmrs-fhir2-patient'));
    if (Array.isArray(body.results)) return (body.results as unknown[]).map((r) => this.record(r, 'openmrs-rest-patient'));
    if (body.resourceType === 'Patient') return [this.record(body, 'openmrs-fhir2-patient')];
    if (typeof body.uuid === 'string') return [this.record(body, 'openmrs-rest-patient')];
    throw new MediatorError('invalid', 'not an OpenMRS patient, Bundle or REST result list');
  }

  async writeBack(items: Array<{ record: InboundRecord; mpiId: string }>, sink: OrchestrationSink): Promise<WriteBackOutcome[]> {
    const type = this.settings.mpiIdentifierType;
    const out: WriteBackOutcome[] = [];
    for (const item of items) {
      if (!type) out.push({ ...item, status: 'already' });
      else out.push(await this.writeOne(item, type, sink));
    }
    return out;
  }

  private async writeOne(item: { record: InboundRecord; mpiId: string }, type: string, sink: OrchestrationSink): Promise<WriteBackOutcome> {
    const patient = item.record.resourceId;
    if (!patient) return { ...item, status: 'failed', reason: 'the patient has no UUID to write to' };
    const held = heldIdentifier(item.record.payload, type);
    if (held?.value === item.mpiId) return { ...item, status: 'already' };
    try {
      if (held?.uuid) await this.client.updateIdentifier(patient, held.uuid, item.mpiId, sink);
      else {
        const location = this.settings.mpiIdentifierLocation;
        await this.client.addIdentifier(patient, { identifier: item.mpiId, identifierType: type, preferred: false, ...(location ? { location } : {}) }, sink);
      }
      return { ...item, status: 'written' };
    } catch (err) {
      return { ...item, status: 'failed', reason: err instanceof UpstreamError ? err.message : (err as Error).message };
    }
  }

  private record(resource: unknown, mapping: string): InboundRecord {
    const o = isObj(resource) ? resource : {};
    const id = str(mapping === 'openmrs-rest-patient' ? o.uuid : o.id);
    const updatedAt = isObj(o.meta) ? str(o.meta.lastUpdated) : undefined;
    return {
      channel: 'openmrs', resourceType: 'Patient', deleted: false, mapping, payload: resource,
      ...(id ? { resourceId: id, sourceIdentifier: { system: this.settings.identifierSystem, value: id } } : {}),
      ...(updatedAt ? { updatedAt } : {}),
    };
  }
}
