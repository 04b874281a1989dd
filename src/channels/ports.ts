/**
 * What a channel is to the rest of Passerelle. An inbound channel pulls pages of records from its
 * source (and takes pushed payloads apart the same way) and may write the MPI ID back; it knows its
 * source's HTTP API, envelopes and change detection, never the registry, the mappings' output or the
 * stores: the sync (src/sync) drives it and keeps its cursor.
 */
import type { Patient } from 'fhir/r4';
import type { OrchestrationSink } from '../core/orchestration';
import type { IdentifierRef } from '../core/types';

/** The channels Passerelle runs. */
export const CHANNEL_NAMES = ['dhis2', 'openmrs', 'ihris', 'ncr'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

/**
 * Whether a string names a channel.
 * @param name - a path segment or argument
 */
export function isChannelName(name: string): name is ChannelName {
  return (CHANNEL_NAMES as readonly string[]).includes(name);
}

/** Where a record comes from: a channel, or a CSV bulk load. */
export type SourceName = ChannelName | 'csv';

/** One record as received from a source, before mapping. */
export interface InboundRecord {
  channel: SourceName;
  /** The source's resource type: trackedEntity, Patient, Practitioner, PractitionerRole. */
  resourceType: string;
  /** The source's id of the record (UID, UUID, id), when it has a readable one. */
  resourceId?: string;
  /** The record's own identifier in Passerelle (its source key), when known before mapping. */
  sourceIdentifier?: IdentifierRef;
  /** When the source last changed it, exactly as the source wrote it. */
  updatedAt?: string;
  /** The source deleted (or voided) it: its source record is deactivated, not mapped. */
  deleted: boolean;
  /** The mapping that turns `payload` into FHIR. */
  mapping: string;
  /** The record as received. */
  payload: unknown;
}

/** One page of a pull. */
export interface PulledPage {
  records: InboundRecord[];
  /** Where the next pull of this scope starts, once this page's records are stored (JSON). */
  position: unknown;
  /** Whether the source has more after this page. */
  more: boolean;
  /** Records the source holds for this pull, when it says. */
  total?: number;
  /** Records of the page already taken in at the previous position (inclusive `updatedAfter`). */
  skipped: number;
}

/** Options of one pull. */
export interface PullOptions {
  /** Where the orchestration of each upstream call goes. */
  sink: OrchestrationSink;
  /** Ask the source for its total (first page of a run: progress and time left). */
  wantTotal?: boolean;
}

/** What a write-back did for one record. */
export type WriteBackOutcome = { record: InboundRecord; mpiId: string; status: 'written' | 'already' } | { record: InboundRecord; mpiId: string; status: 'failed'; reason: string };

/** A channel that reads from its source. */
export interface InboundChannel {
  readonly name: ChannelName;
  /** What is polled separately, each with its own cursor (program × org unit, resource type…). */
  scopes(): string[];
  /**
   * The page after `position` (null: from the beginning).
   * @param scope - one of `scopes()`
   * @param position - the stored cursor of the scope
   * @param opts - orchestration sink, total wanted
   */
  pull(scope: string, position: unknown, opts: PullOptions): Promise<PulledPage>;
  /**
   * The records of a payload pushed to `POST /channels/{channel}/{resource}`: one record, or a page
   * or bundle in any of the source's envelopes. Throws `invalid` for a payload of no known shape.
   * @param resource - the path's resource segment
   * @param body - the parsed body
   */
  recordsOfPush(resource: string, body: unknown): InboundRecord[];
  /** Resources accepted by push, for the route's error message. */
  readonly pushResources: readonly string[];
  /**
   * Write MPI IDs back to the source (when configured); one outcome per item.
   * @param items - records and the MPI ID of their golden record
   * @param sink - orchestration sink
   */
  writeBack?(items: Array<{ record: InboundRecord; mpiId: string }>, sink: OrchestrationSink): Promise<WriteBackOutcome[]>;
}

/** The identifier system of MPI IDs (a golden record's own id, e.g. as the national registry's internal id). */
export const MPI_ID_SYSTEM = 'urn:passerelle:mpi-id';

/** What the national registry gave back for a golden record sent to it. */
export interface RegistryWriteResult {
  patient?: Patient;
  /** The registry's own id of the person (its golden record), when it says. */
  registryId?: string;
}

/** A registry that receives golden records and can be asked about a person (the national client registry). */
export interface OutboundRegistry {
  readonly name: 'ncr';
  /** The identifier system the registry's own ids are cross-referenced under. */
  readonly identifierSystem: string;
  readonly pageSize: number;
  /** Ask it when `$match` finds nothing. */
  readonly queryOnMatchMiss: boolean;
  /**
   * Send one golden record (a conditional update on its MPI ID).
   * @param mpiId - the MPI ID
   * @param patient - the Patient to send
   * @param sink - orchestration sink
   */
  send(mpiId: string, patient: Patient, sink: OrchestrationSink): Promise<RegistryWriteResult>;
  /**
   * Its source records matching a probe's demographics, as records to take in.
   * @param probe - the Patient
   * @param sink - orchestration sink
   */
  recordsMatching(probe: Patient, sink: OrchestrationSink): Promise<InboundRecord[]>;
  /** What the registry may push (`POST /channels/ncr/Patient`): see InboundChannel.recordsOfPush. */
  recordsOfPush: InboundChannel['recordsOfPush'];
  readonly pushResources: readonly string[];
}
