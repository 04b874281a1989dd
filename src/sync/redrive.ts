/**
 * Re-driving dead letters after a fix (a corrected mapping, a repaired upstream): the stored payload
 * goes through the same path again — mapping as it is now, validation, registration — or, for a
 * write-back, the MPI ID the record's source record stands in now is written again. A success
 * resolves the entry; a new failure updates its reason and is published on the DLQ topic again.
 */
import type { ChannelName, InboundChannel, InboundRecord } from '../channels/ports';
import { MediatorError } from '../core/errors';
import type { OrchestrationSink } from '../core/orchestration';
import type { Actor } from '../core/types';
import { identifierKey } from '../core/types';
import { ingestPage } from './ingest';
import type { IngestDeps } from './ingest';
import type { WriteBackPayload } from './inbound-job';
import type { DeadLetter, DeadLetterStore, NewDeadLetter } from './ports';

/** The outcome of one re-drive. */
export interface RedriveResult {
  id: string;
  status: 'resolved' | 'failed' | 'skipped';
  /** Why it failed again, or why it was not re-driven. */
  reason?: string;
  /** The source record's key (`system|value`), when the entry names one. */
  sourceId?: string;
  /** The golden record the record stands in after a successful re-drive. */
  mpiId?: string;
}

/** What a re-drive uses. */
export interface RedriveDeps extends Omit<IngestDeps, 'deadLetters'> {
  deadLetters: DeadLetterStore;
  /** The channel's current inbound adapter (null: the channel is off). */
  inbound(channel: ChannelName): InboundChannel | null;
}

function recordOf(d: DeadLetter): InboundRecord {
  const at = d.key.startsWith('sha256:') ? -1 : d.key.lastIndexOf('|');
  return {
    channel: d.channel as InboundRecord['channel'], resourceType: d.resourceType, deleted: false, mapping: d.mapping ?? '', payload: d.payload,
    ...(d.resourceId !== undefined ? { resourceId: d.resourceId } : {}),
    ...(at > 0 ? { sourceIdentifier: { system: d.key.slice(0, at), value: d.key.slice(at + 1) } } : {}),
  };
}

/**
 * Re-drive one dead letter.
 * @param deps - stores, registry, mappings, channels
 * @param d - the entry
 * @param actor - who asked
 * @param sink - orchestration sink (write-backs)
 */
export async function redrive(deps: RedriveDeps, d: DeadLetter, actor: Actor, sink: OrchestrationSink): Promise<RedriveResult> {
  const source = recordOf(d).sourceIdentifier;
  const result = await redriveEntry(deps, d, actor, sink);
  return source ? { ...result, sourceId: identifierKey(source) } : result;
}

async function redriveEntry(deps: RedriveDeps, d: DeadLetter, actor: Actor, sink: OrchestrationSink): Promise<RedriveResult> {
  if (d.status === 'resolved') return { id: d.id, status: 'skipped', reason: 'already resolved' };
  if (d.stage === 'receive' || d.stage === 'outbound') return { id: d.id, status: 'skipped', reason: `a ${d.stage} failure is re-driven by running the channel: POST /sync/${d.channel}/run` };
  if (typeof d.payload === 'object' && d.payload !== null && (d.payload as { truncated?: unknown }).truncated === true) {
    return { id: d.id, status: 'skipped', reason: 'the payload was over 1 MB and only its head was kept; send it again from the source' };
  }
  return d.stage === 'write-back' ? redriveWriteBack(deps, d, sink) : redriveRecord(deps, d, actor);
}

async function redriveRecord(deps: RedriveDeps, d: DeadLetter, actor: Actor): Promise<RedriveResult> {
  if (!d.mapping || !deps.transforms.has(d.mapping)) return { id: d.id, status: 'skipped', reason: `no mapping ${d.mapping ?? '(unknown)'} to re-drive it through` };
  // A new failure updates this entry instead of opening another.
  const failures: NewDeadLetter[] = [];
  const deadLetters: IngestDeps['deadLetters'] = {
    record: async (f) => {
      failures.push(f);
      return { ...d, ...f };
    },
    countOpen: (channel) => deps.deadLetters.countOpen(channel),
    resolveRecords: (...args) => deps.deadLetters.resolveRecords(...args),
  };
  const at = deps.now().toISOString();
  const { outcomes } = await ingestPage({ ...deps, deadLetters }, [recordOf(d)], actor);
  const failure = failures[0];
  if (failure) return failedAgain(deps, d, at, failure);
  await deps.deadLetters.resolve(d.id, at);
  const mpiId = outcomes[0]?.mpiId;
  return { id: d.id, status: 'resolved', ...(mpiId ? { mpiId } : {}) };
}

async function failedAgain(deps: RedriveDeps, d: DeadLetter, at: string, f: Pick<DeadLetter, 'stage' | 'reason' | 'issues'>): Promise<RedriveResult> {
  await deps.deadLetters.retried(d.id, f, at);
  return { id: d.id, status: 'failed', reason: f.reason };
}

async function redriveWriteBack(deps: RedriveDeps, d: DeadLetter, sink: OrchestrationSink): Promise<RedriveResult> {
  const at = deps.now().toISOString();
  const channel = deps.inbound(d.channel as ChannelName);
  const { record } = d.payload as WriteBackPayload;
  if (!channel?.writeBack) return { id: d.id, status: 'skipped', reason: `the ${d.channel} channel is off or writes nothing back` };
  const source = record.sourceIdentifier ? await deps.registry.getSource(identifierKey(record.sourceIdentifier)) : null;
  if (!source?.goldenId) return failedAgain(deps, d, at, { stage: 'write-back', reason: 'the source record is not linked to a golden record any more' });
  const [result] = await channel.writeBack([{ record, mpiId: source.goldenId }], sink);
  if (!result) throw new MediatorError('internal', 'the write-back gave no result');
  if (result.status === 'failed') return failedAgain(deps, d, at, { stage: 'write-back', reason: result.reason });
  await deps.deadLetters.resolve(d.id, at);
  return { id: d.id, status: 'resolved', mpiId: source.goldenId };
}

