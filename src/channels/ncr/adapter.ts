/**
 * The national client registry channel, outbound (source-systems.md §4): each new or changed golden
 * record is sent as a FHIR Patient by conditional update on its MPI ID, and the registry's own id of
 * the person (its golden record, CRUID) comes back to be cross-referenced. Inbound, the registry's
 * Patients can be searched (a `$match` that found nothing may ask it) and are mapped by `ncr-patient`.
 */
import type { Patient } from 'fhir/r4';
import type { LiveSettings } from '../../config/live';
import type { OrchestrationSink } from '../../core/orchestration';
import type { UpstreamClient } from '../http';
import { MPI_ID_SYSTEM } from '../ports';
import type { InboundRecord, OutboundRegistry, RegistryWriteResult } from '../ports';
import { ncrSourceRecordSystem } from '../../transforms/settings';
import { NcrClient } from './client';

/** OpenCR's tag of its golden records (no demographics: never taken in). */
const GOLDEN_TAG = '5c827da5-4858-4f3d-a50c-62ece001efea';

/** What the registry channel needs of the live settings. */
export interface NcrSettings {
  pageSize: number;
  /** The system its own ids are cross-referenced under. */
  identifierSystem: string;
  queryOnMatchMiss: boolean;
}

/**
 * The registry settings, or null when the channel is off or has no URL.
 * @param live - the live settings
 */
export function ncrSettingsOf(live: LiveSettings): NcrSettings | null {
  if (!live.ncrEnabled || !live.ncrBaseUrl) return null;
  return { pageSize: live.ncrPageSize, identifierSystem: live.ncrIdentifierSystem, queryOnMatchMiss: live.ncrQueryOnMatchMiss };
}

/** The national registry as a channel. */
export class NcrChannel implements OutboundRegistry {
  readonly name = 'ncr' as const;
  readonly identifierSystem: string;
  readonly pageSize: number;
  readonly queryOnMatchMiss: boolean;
  private readonly client: NcrClient;

  /**
   * @param http - the upstream client (base URL = the registry's FHIR base)
   * @param settings - the registry settings
   */
  constructor(http: UpstreamClient, settings: NcrSettings) {
    this.client = new NcrClient(http);
    this.identifierSystem = settings.identifierSystem;
    this.pageSize = settings.pageSize;
    this.queryOnMatchMiss = settings.queryOnMatchMiss;
  }

  /**
   * Send one golden record.
   * @param mpiId - its MPI ID
   * @param patient - the outbound Patient (outboundPatient)
   * @param sink - orchestration sink
   */
  send(mpiId: string, patient: Patient, sink: OrchestrationSink): Promise<RegistryWriteResult> {
    return this.client.upsertByIdentifier(MPI_ID_SYSTEM, mpiId, patient, sink);
  }

  /**
   * The registry's source records matching a probe's demographics, as records to take in.
   * @param probe - the Patient a `$match` found nothing for
   * @param sink - orchestration sink
   */
  async recordsMatching(probe: Patient, sink: OrchestrationSink): Promise<InboundRecord[]> {
    const name = probe.name?.[0];
    const query = { family: name?.family, given: name?.given?.[0], birthdate: probe.birthDate, gender: probe.gender };
    if (!query.family && !query.birthdate) return [];
    const found = await this.client.search(query, sink);
    return found.filter((p) => !(p.meta?.tag ?? []).some((t) => t.code === GOLDEN_TAG)).map((p) => ({
      channel: 'ncr', resourceType: 'Patient', deleted: false, mapping: 'ncr-patient', payload: p,
      ...(p.id ? { resourceId: p.id, sourceIdentifier: { system: ncrSourceRecordSystem(this.identifierSystem), value: p.id } } : {}),
    }));
  }
}
