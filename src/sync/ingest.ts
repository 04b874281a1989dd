/**
 * Taking in one page of records from a channel, pulled or pushed: each record is mapped and
 * validated, the Patients of the page go through the registry's bulk registration path as one unit,
 * deleted records deactivate their source record, health workers go to the practitioner registry,
 * and every record that fails becomes a dead letter with its payload and the reason. The page goes
 * on whatever one record does; only a store that is down fails the page (and its cursor stays).
 */
import type { Patient } from 'fhir/r4';
import type { InboundRecord } from '../channels/ports';
import { MediatorError } from '../core/errors';
import type { Actor } from '../core/types';
import { identifierKey } from '../core/types';
import type { BulkItemResult, RegisterSourceInput, RegistryService } from '../registry/api';
import type { Transforms } from '../transforms';
import { resourceTypeOfMapping } from '../transforms/resource-types';
import { deadLetterKey } from './dead-letters';
import type { DeadLetterStore, FailureStage, NewDeadLetter, SyncCounts } from './ports';
import { zeroCounts } from './ports';
import type { TouchedIds } from './touched';

/** What happened to one record. */
export interface RecordOutcome {
  record: InboundRecord;
  status: 'created' | 'updated' | 'linked' | 'review' | 'unchanged' | 'deactivated' | 'failed';
  /** MPI ID of the golden record the record stands in (for write-back). */
  mpiId?: string;
  failureId?: string;
}

/** What happened to a page. */
export interface PageOutcome {
  counts: SyncCounts;
  outcomes: RecordOutcome[];
}

/** Takes in health workers (iHRIS); see practitioners.ts. */
export interface PractitionerIngest {
  /**
   * Take in mapped Practitioners and PractitionerRoles of one page.
   * @returns one outcome per item, in order
   */
  ingest(items: Array<{ record: InboundRecord; resource: Record<string, unknown> }>, actor: Actor): Promise<Array<RecordOutcome['status']>>;
}

/** What ingestion uses. */
export interface IngestDeps {
  registry: RegistryService;
  transforms: Transforms;
  deadLetters: Pick<DeadLetterStore, 'record' | 'countOpen' | 'resolveRecords'>;
  practitioners?: PractitionerIngest;
  now: () => Date;
}

type Mapped = { record: InboundRecord; resource: Record<string, unknown> };

/**
 * The dead letter of a record.
 * @param record - the record
 * @param stage - where it failed
 * @param reason - why
 * @param issues - FHIR issues, for validation failures
 */
export function failureOf(record: InboundRecord, stage: FailureStage, reason: string, issues?: NewDeadLetter['issues']): NewDeadLetter {
  return {
    channel: record.channel, stage, resourceType: record.resourceType, ...(record.resourceId !== undefined ? { resourceId: record.resourceId } : {}),
    key: deadLetterKey(record.sourceIdentifier ? identifierKey(record.sourceIdentifier) : undefined, record.payload),
    payload: record.payload, reason, mapping: record.mapping, ...(issues && issues.length > 0 ? { issues } : {}),
  };
}

/**
 * Take in one page.
 * @param deps - registry, mappings, dead letters, practitioners
 * @param records - the page's records, in source order
 * @param actor - who registers (the channel, and the OpenHIM transaction when there is one)
 */
export async function ingestPage(deps: IngestDeps, records: InboundRecord[], actor: Actor): Promise<PageOutcome> {
  const outcomes = new Map<InboundRecord, RecordOutcome>();
  const fail = async (record: InboundRecord, stage: FailureStage, reason: string, issues?: NewDeadLetter['issues']): Promise<void> => {
    const d = await deps.deadLetters.record(failureOf(record, stage, reason, issues), deps.now().toISOString());
    outcomes.set(record, { record, status: 'failed', failureId: d.id });
  };
  const patients: Mapped[] = [];
  const workers: Mapped[] = [];
  for (const record of records) {
    if (record.deleted) continue;
    const type = resourceTypeOfMapping(record.mapping);
    const mapped = await deps.transforms.map(record.mapping, record.payload, type);
    if (!mapped.ok) await fail(record, mapped.stage, mapped.reason, mapped.issues);
    else (type === 'Patient' ? patients : workers).push({ record, resource: mapped.resource });
  }
  await registerPatients(deps, patients, actor, outcomes, fail);
  await deactivate(deps, records.filter((r) => r.deleted), actor, outcomes, fail);
  await ingestWorkers(deps, workers, actor, outcomes, fail);
  const ordered = records.map((r) => outcomes.get(r) ?? { record: r, status: 'unchanged' as const });
  await resolveEarlierFailures(deps, ordered);
  return { counts: countOutcomes(ordered), outcomes: ordered };
}

type Fail = (record: InboundRecord, stage: FailureStage, reason: string) => Promise<void>;

async function registerPatients(deps: IngestDeps, items: Mapped[], actor: Actor, outcomes: Map<InboundRecord, RecordOutcome>, fail: Fail): Promise<void> {
  if (items.length === 0) return;
  const inputs: RegisterSourceInput[] = items.map(({ record, resource }) => ({
    patient: resource as unknown as Patient, sourceSystem: record.channel, received: record.payload, actor,
    ...(record.sourceIdentifier ? { sourceIdentifier: record.sourceIdentifier } : {}),
  }));
  const results: BulkItemResult[] = await deps.registry.registerMany(inputs);
  for (const [i, r] of results.entries()) {
    const record = (items[i] as Mapped).record;
    if (r.ok) outcomes.set(record, { record, status: r.result.outcome, mpiId: r.result.golden.mpiId });
    else await fail(record, 'registration', `${r.error.code}: ${r.error.message}`);
  }
}

async function deactivate(deps: IngestDeps, deleted: InboundRecord[], actor: Actor, outcomes: Map<InboundRecord, RecordOutcome>, fail: Fail): Promise<void> {
  for (const record of deleted) {
    if (!record.sourceIdentifier) {
      await fail(record, 'registration', 'a deleted record without an id cannot be matched to its source record');
      continue;
    }
    try {
      const before = await deps.registry.getSource(identifierKey(record.sourceIdentifier));
      if (!before?.active) continue; // never taken in, or already deactivated: nothing changes
      await deps.registry.deactivateSource(before.key, actor);
      outcomes.set(record, { record, status: 'deactivated' });
    } catch (err) {
      if (!(err instanceof MediatorError) || err.code === 'unavailable' || err.code === 'internal') throw err;
      await fail(record, 'registration', `${err.code}: ${err.message}`);
    }
  }
}

async function ingestWorkers(deps: IngestDeps, items: Mapped[], actor: Actor, outcomes: Map<InboundRecord, RecordOutcome>, fail: Fail): Promise<void> {
  if (items.length === 0) return;
  if (!deps.practitioners) {
    for (const { record } of items) await fail(record, 'registration', 'this channel does not take health workers');
    return;
  }
  const statuses = await deps.practitioners.ingest(items, actor);
  items.forEach(({ record }, i) => outcomes.set(record, { record, status: statuses[i] ?? 'unchanged' }));
}

/** A record that now came in resolves its open dead letters (looked up only when the channel has any). */
async function resolveEarlierFailures(deps: IngestDeps, outcomes: RecordOutcome[]): Promise<void> {
  const done = outcomes.filter((o) => o.status !== 'failed' && o.record.resourceId !== undefined);
  if (done.length === 0 || (await deps.deadLetters.countOpen(done[0]?.record.channel ?? '')) === 0) return;
  const at = deps.now().toISOString();
  const byType = new Map<string, string[]>();
  for (const { record } of done) byType.set(record.resourceType, [...(byType.get(record.resourceType) ?? []), record.resourceId as string]);
  for (const [type, ids] of byType) await deps.deadLetters.resolveRecords(done[0]?.record.channel ?? '', type, ids, at);
}

/**
 * The identities a page touched: the MPI ID each record stands in, and the key of every record that
 * names its source record (taken in or not).
 * @param outcomes - one per record
 */
export function touchedBy(outcomes: RecordOutcome[]): TouchedIds {
  const mpiIds: string[] = [];
  const sourceIds: string[] = [];
  for (const o of outcomes) {
    if (o.mpiId) mpiIds.push(o.mpiId);
    if (o.record.sourceIdentifier) sourceIds.push(identifierKey(o.record.sourceIdentifier));
  }
  return { mpiIds, sourceIds };
}

/**
 * Counts of a page's outcomes.
 * @param outcomes - one per record
 */
export function countOutcomes(outcomes: RecordOutcome[]): SyncCounts {
  const counts = zeroCounts();
  counts.received = outcomes.length;
  for (const o of outcomes) counts[o.status === 'failed' ? 'failed' : o.status] += 1;
  return counts;
}
