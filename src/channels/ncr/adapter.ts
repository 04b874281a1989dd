/**
 * The national client registry channel, outbound (source-systems.md §4): each new or changed golden
 * record is sent as a FHIR Patient by conditional update on its MPI ID, and the registry's own id of
 * the person (its golden record, CRUID) comes back to be cross-referenced. Inbound, the registry's
 * Patients can be searched (a `$match` that found nothing may ask it) or pushed by it
 * (`POST /channels/ncr/Patient`), and are mapped by `ncr-patient`.
 */
import type { Patient } from 'fhir/r4';
import type { LiveSettings } from '../../config/live';
import type { OrchestrationSink } from '../../core/orchestration';
import type { UpstreamClient } from '../http';
import { MPI_ID_SYSTEM } from '../ports';
import type { InboundRecord, OutboundRegistry, RegistryWriteResult } from '../ports';
import { ncrSourceRecordSystem } from '../../transforms/settings';
import { NcrClient } from './client';
import { MediatorError } from '../../core/errors';

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
  readonly pushResources = ['Patient'] as const;
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
    return found.filter((p) => !isGoldenRecord(p)).map((p) => this.record(p));
  }

  /**
   * The records of Patients the registry pushes (one Patient, or a Bundle of them), mapped by
   * `ncr-patient` like those it answers with. Its golden records carry no demographics: a push
   * holding one is refused whole, never partly dropped.
   * @param resource - the path's resource segment (`Patient`)
   * @param body - the parsed body
   */
  recordsOfPush(resource: string, body: unknown): InboundRecord[] {
    if (resource !== 'Patient') throw new MediatorError('not-found', 'National registry pushes go to /channels/ncr/Patient');
    const patients = patientsOf(body);
    if (patients.some(isGoldenRecord)) throw new MediatorError('invalid', 'a golden record of the registry carries no demographics; push its source records');
    return patients.map((p) => this.record(p));
  }

  private record(p: Patient): InboundRecord {
    return {
      channel: 'ncr', resourceType: 'Patient', deleted: false, mapping: 'ncr-patient', payload: p,
      ...(p.id ? { resourceId: p.id, sourceIdentifier: { system: ncrSourceRecordSystem(this.identifierSystem), value: p.id } } : {}),
    };
  }
}

function isGoldenRecord(p: Patient): boolean {
  return (p.meta?.tag ?? []).some((t) => t.code === GOLDEN_TAG);
}

/** The Patients of a pushed body: a Patient, or a Bundle whose entries are all Patients. */
function patientsOf(body: unknown): Patient[] {
  const b = body as { resourceType?: unknown; entry?: unknown } | null;
  if (b?.resourceType === 'Patient') return [b as Patient];
  if (b?.resourceType !== 'Bundle') throw new MediatorError('invalid', 'not a FHIR Patient or a Bundle of Patients');
  const resources = (Array.isArray(b.entry) ? (b.entry as Array<{ resource?: { resourceType?: unknown } } | null>) : []).map((e) => e?.resource);
  if (resources.some((r) => r?.resourceType !== 'Patient')) throw new MediatorError('invalid', 'every entry of a pushed Bundle must be a Patient');
  return resources as Patient[];
}
