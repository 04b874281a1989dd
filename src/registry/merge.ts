/**
 * Merge and unmerge of golden records. A merge moves every source of the retired record to the
 * survivor, marks the retired record `merged` (its MPI ID keeps resolving to the survivor) and logs
 * what unmerge needs: both records as they were and each moved source's link state. Unmerge puts
 * the sources still on the survivor back with their old link state and restores the retired
 * record's identifiers and steward edits; survivorship, being a function of the sources, then
 * reproduces the exact prior golden records and cross-reference.
 */
import { MediatorError } from '../core/errors';
import type { Actor } from '../core/types';
import type { GoldenRecord } from './api';
import type { RegistryContext } from './context';
import type { ChangeBuilder } from './change-builder';
import { runChange } from './change-runner';
import { leaseKey } from './keys';
import { existingSource, writableGolden } from './links';
import type { MergeRecord, StoredGolden } from './store';
import { publicGolden } from './views';
import { identifierKey } from '../core/types';
import { jsonClone } from '../core/json-clone';

/**
 * Stage a merge on a builder (also used by review resolution).
 * @param ctx - registry context
 * @param b - change builder
 * @param survivor - surviving golden record (working copy)
 * @param retired - retired golden record (working copy)
 * @param reason - why
 */
export async function stageMerge(ctx: RegistryContext, b: ChangeBuilder, survivor: StoredGolden, retired: StoredGolden, reason?: string): Promise<MergeRecord> {
  if (survivor.mpiId === retired.mpiId) {
    throw new MediatorError('invalid', 'cannot merge a golden record into itself');
  }
  const record: MergeRecord = {
    id: ctx.newId(),
    survivorId: survivor.mpiId,
    retiredId: retired.mpiId,
    movedSources: [],
    survivorBefore: jsonClone(survivor),
    retiredBefore: jsonClone(retired),
    at: b.at,
    by: b.actor,
    ...(reason ? { reason } : {}),
    version: 1,
  };
  for (const key of retired.sourceKeys) {
    const src = await existingSource(b, key);
    record.movedSources.push({ key, linkState: src.linkState, ...(src.linkScore !== undefined ? { linkScore: src.linkScore } : {}) });
    await b.moveSource(src, survivor.mpiId, 'manual');
  }
  const s = (await b.golden(survivor.mpiId)) as StoredGolden;
  const r = (await b.golden(retired.mpiId)) as StoredGolden;
  const known = new Set(s.extraIdentifiers.map((i) => identifierKey(i)));
  s.extraIdentifiers = [...s.extraIdentifiers, ...r.extraIdentifiers.filter((i) => !known.has(identifierKey(i)))];
  r.extraIdentifiers = [];
  r.status = 'merged';
  r.mergedInto = s.mpiId;
  b.stageGolden(s);
  b.stageGolden(r);
  b.addMerge(record);
  b.patientEvent('merged', s.mpiId, { mpiId: r.mpiId, retiredInto: s.mpiId });
  return record;
}

async function mergeLeases(ctx: RegistryContext, ids: string[]): Promise<string[]> {
  const goldens = await ctx.store.records.goldens(ids);
  return [...ids.map(leaseKey.golden), ...goldens.flatMap((g) => g.sourceKeys.map(leaseKey.source))];
}

/**
 * Merge `retiredId` into `survivorId`.
 * @param ctx - registry context
 * @param survivorId - MPI ID that stays
 * @param retiredId - MPI ID that is retired (keeps resolving to the survivor)
 * @param actor - who
 * @param reason - why
 */
export async function mergeGoldens(ctx: RegistryContext, survivorId: string, retiredId: string, actor: Actor, reason?: string): Promise<GoldenRecord> {
  const ids = [ctx.mpiIds.validate(survivorId), ctx.mpiIds.validate(retiredId)];
  return runChange(ctx, { operation: 'merge', actor, leases: await mergeLeases(ctx, ids), ...(reason ? { reason } : {}) }, async (b) => {
    const survivor = await writableGolden(ctx, b, ids[0] as string);
    const retired = await b.golden(ids[1] as string);
    if (!retired) {
      throw new MediatorError('not-found', 'unknown MPI ID');
    }
    if (retired.status === 'merged') {
      throw new MediatorError('conflict', 'golden record already merged', { mergedInto: retired.mergedInto });
    }
    await stageMerge(ctx, b, survivor, retired, reason);
    return () => publicGolden(b.stagedGolden(survivor.mpiId) as StoredGolden);
  });
}

/**
 * Undo the latest merge that retired `retiredId`.
 * @param ctx - registry context
 * @param retiredId - the retired MPI ID
 * @param actor - who
 * @param reason - why
 */
export async function unmergeGolden(ctx: RegistryContext, retiredId: string, actor: Actor, reason?: string): Promise<{ survivor: GoldenRecord; restored: GoldenRecord }> {
  const id = ctx.mpiIds.validate(retiredId);
  const log = await ctx.store.merges.activeFor(id);
  if (!log) {
    throw new MediatorError('not-found', 'no merge to undo for this MPI ID');
  }
  const leases = [leaseKey.golden(log.survivorId), leaseKey.golden(id), ...log.movedSources.map((m) => leaseKey.source(m.key))];
  return runChange(ctx, { operation: 'unmerge', actor, leases, ...(reason ? { reason } : {}) }, async (b) => {
    const current = await ctx.store.merges.get(log.id);
    const retired = await b.golden(id);
    if (!current || current.undone || retired?.status !== 'merged' || retired.mergedInto !== log.survivorId) {
      throw new MediatorError('conflict', 'merge already undone or superseded');
    }
    await restoreSources(b, current);
    const survivor = (await b.golden(log.survivorId)) as StoredGolden;
    const restoredIds = new Set(current.retiredBefore.extraIdentifiers.filter((i) => !current.survivorBefore.extraIdentifiers.some((s) => s.system === i.system && s.value === i.value)).map((i) => identifierKey(i)));
    survivor.extraIdentifiers = survivor.extraIdentifiers.filter((i) => !restoredIds.has(identifierKey(i)));
    const r = (await b.golden(id)) as StoredGolden;
    r.status = 'active';
    delete r.mergedInto;
    r.extraIdentifiers = jsonClone(current.retiredBefore.extraIdentifiers);
    if (current.retiredBefore.stewardPatch) {
      r.stewardPatch = jsonClone(current.retiredBefore.stewardPatch);
    }
    b.stageGolden(survivor);
    b.stageGolden(r);
    b.addMerge({ ...current, undone: { at: b.at, by: actor, ...(reason ? { reason } : {}) }, version: current.version + 1 });
    b.patientEvent('unmerged', survivor.mpiId, { mpiId: id });
    return () => ({ survivor: publicGolden(b.stagedGolden(survivor.mpiId) as StoredGolden), restored: publicGolden(b.stagedGolden(id) as StoredGolden) });
  });
}

async function restoreSources(b: ChangeBuilder, log: MergeRecord): Promise<void> {
  for (const moved of log.movedSources) {
    const src = await b.source(moved.key);
    if (!src || src.goldenId !== log.survivorId) {
      continue; // moved elsewhere since the merge: leave it where a steward put it
    }
    await b.moveSource(src, log.retiredId, moved.linkState ?? 'auto', moved.linkScore);
    if (moved.linkState === null) {
      src.linkState = null;
    }
  }
}
