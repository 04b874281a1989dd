/**
 * The national registry's outbound job: golden records that changed since the cursor (read from the
 * registry's history, oldest first) are sent to the registry, and the id the registry gives the
 * person is cross-referenced on the golden record. A golden record whose Patient is the same as the
 * one last sent is not sent again, so cross-referencing the registry's id (itself a change) costs one
 * round at most. History entries younger than a safety window wait for the next run: a change
 * finished late (recovered after a crash) carries its original time and must not fall behind the
 * cursor.
 */
import { createHash } from 'node:crypto';
import type { Patient } from 'fhir/r4';
import { MPI_ID_SYSTEM } from '../channels/ports';
import type { OutboundRegistry } from '../channels/ports';
import { UpstreamError } from '../channels/upstream-error';
import { MediatorError } from '../core/errors';
import type { Actor } from '../core/types';
import { identifierKey } from '../core/types';
import type { HistoryEntry, RegistryService } from '../registry/api';
import type { ChannelStateStore, DeadLetterStore, SyncCounts } from './ports';
import { zeroCounts } from './ports';
import type { ChannelJob, StepContext, StepResult } from './runner';
import type { TouchedIds } from './touched';

/** The job's cursor: the time of the last history entry sent and the entries sent at that time. */
interface HistoryPosition {
  since?: string;
  seen: string[];
}

/** What the job uses. */
export interface NcrJobDeps {
  registry: RegistryService;
  state: ChannelStateStore;
  deadLetters: Pick<DeadLetterStore, 'record'>;
  now: () => Date;
  /** How old a history entry must be before it is sent (default 60 s). */
  safetyWindowMs?: number;
}

/**
 * A golden Patient as the registry receives it: no local id, meta or links, no identifier in the
 * registry's own system, and the MPI ID as the internal id.
 * @param mpiId - the golden record's MPI ID
 * @param golden - its computed Patient
 * @param ownSystem - the registry's identifier system
 */
export function outboundPatient(mpiId: string, golden: Patient, ownSystem: string): Patient {
  const { id: _id, meta: _meta, link: _link, text: _text, ...rest } = golden;
  const identifier = [{ use: 'official' as const, system: MPI_ID_SYSTEM, value: mpiId }, ...(golden.identifier ?? []).filter((i) => i.system !== ownSystem && i.system !== MPI_ID_SYSTEM)];
  return { ...rest, resourceType: 'Patient', identifier };
}

const entryKey = (e: HistoryEntry): string => `${e.kind}|${e.id}|${e.version}`;
const hashOf = (v: unknown): string => createHash('sha256').update(JSON.stringify(v)).digest('hex').slice(0, 32);

/**
 * The oldest history entries after the cursor: those at the cursor's instant not sent yet, then the
 * later ones. Reads as far as one page goes, whatever the size of the history.
 * @param registry - the registry
 * @param at - the cursor
 * @param pageSize - entries per page
 */
async function oldestAfter(registry: RegistryService, at: HistoryPosition, pageSize: number): Promise<HistoryEntry[]> {
  const items = await registry.historySince({ since: at.since, count: pageSize + at.seen.length });
  const seen = new Set(at.seen);
  return items.filter((e) => !(e.at === at.since && seen.has(entryKey(e))));
}

/**
 * The outbound job of the national registry.
 * @param channel - the registry channel
 * @param deps - registry, channel state, dead letters, clock
 */
export function ncrJob(channel: OutboundRegistry, deps: NcrJobDeps): ChannelJob {
  async function sendOne(mpiId: string, run: StepContext, counts: SyncCounts, touched: TouchedIds): Promise<void> {
    const found = await deps.registry.getGolden(mpiId);
    if (!found || found.redirectedFrom || found.golden.status !== 'active') return;
    const patient = outboundPatient(mpiId, found.golden.patient, channel.identifierSystem);
    const hash = hashOf(patient);
    const sent = await deps.state.get<{ hash: string; registryId?: string }>('ncr', `sent:${mpiId}`);
    counts.received += 1;
    if (sent?.hash === hash) {
      counts.unchanged += 1;
      return;
    }
    try {
      touched.mpiIds.push(mpiId);
      const result = await channel.send(mpiId, patient, run.sink);
      if (result.registryId) {
        touched.sourceIds.push(identifierKey({ system: channel.identifierSystem, value: result.registryId }));
        await crossReference(mpiId, result.registryId, run.actor);
      }
      await deps.state.put('ncr', `sent:${mpiId}`, { hash, ...(result.registryId ? { registryId: result.registryId } : {}) });
      counts[sent ? 'updated' : 'created'] += 1;
      counts.writtenBack += result.registryId ? 1 : 0;
    } catch (err) {
      if (err instanceof UpstreamError && err.retryable) throw err; // the registry is down: the page waits
      counts.failed += 1;
      await deps.deadLetters.record({
        channel: 'ncr', stage: 'outbound', resourceType: 'Patient', resourceId: mpiId, key: mpiId, payload: patient,
        reason: err instanceof Error ? err.message : String(err),
      }, deps.now().toISOString());
    }
  }

  async function crossReference(mpiId: string, registryId: string, actor: Actor): Promise<void> {
    try {
      await deps.registry.addIdentifier(mpiId, { system: channel.identifierSystem, value: registryId }, actor);
    } catch (err) {
      // The registry put this person with another of ours: a steward decides (the entry says which).
      if (err instanceof MediatorError && err.code === 'conflict') throw new MediatorError('conflict', `the national registry's id ${registryId} is cross-referenced on another golden record (${String(err.details.mpiId)})`);
      throw err;
    }
  }

  return {
    channel: 'ncr',
    scopes: () => ['golden-records'],
    async step(_scope, position, run): Promise<StepResult> {
      const at = (position as HistoryPosition | null) ?? { seen: [] };
      const cutoff = new Date(deps.now().getTime() - (deps.safetyWindowMs ?? 60_000)).toISOString();
      const page = await oldestAfter(deps.registry, at, channel.pageSize);
      const ready = page.filter((e) => e.at <= cutoff);
      const counts = zeroCounts();
      const touched: TouchedIds = { mpiIds: [], sourceIds: [] };
      const goldens = [...new Set(ready.filter((e) => e.kind === 'golden').map((e) => e.id))];
      await run.gate(async () => {
        for (const mpiId of goldens) await sendOne(mpiId, run, counts, touched);
      });
      const last = ready.at(-1)?.at;
      const next: HistoryPosition = last === undefined ? at : { since: last, seen: [...(last === at.since ? at.seen : []), ...ready.filter((e) => e.at === last).map(entryKey)] };
      return { position: next, more: ready.length === page.length && page.length >= channel.pageSize, counts, touched };
    },
  };
}
