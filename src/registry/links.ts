/**
 * Manual identity operations on one source or golden record: link, unlink, deactivate, add an
 * identifier, steward patch. Each is one recorded change with one patient event.
 */
import type { Patient } from 'fhir/r4';
import { MediatorError } from '../core/errors';
import type { Actor, IdentifierRef } from '../core/types';
import type { GoldenRecord, SourceRecord } from './api';
import type { RegistryContext } from './context';
import type { ChangeBuilder } from './change-builder';
import { runChange } from './change-runner';
import { identifierKey, leaseKey } from './keys';
import type { StoredGolden, StoredSource } from './store';
import { publicGolden, publicSource } from './views';
import { jsonClone } from '../core/json-clone';

/**
 * Golden record to write to: validated MPI ID, merged records followed to their survivor.
 * @param ctx - registry context
 * @param b - change builder
 * @param mpiId - MPI ID as given
 */
export async function writableGolden(ctx: RegistryContext, b: ChangeBuilder, mpiId: string): Promise<StoredGolden> {
  let g = await b.golden(ctx.mpiIds.validate(mpiId));
  for (let hops = 0; g?.status === 'merged' && g.mergedInto && hops < 20; hops++) {
    g = await b.golden(g.mergedInto);
  }
  if (!g) {
    throw new MediatorError('not-found', 'unknown MPI ID');
  }
  if (g.status === 'merged') {
    throw new MediatorError('gone', 'golden record was merged');
  }
  return g;
}

/**
 * Existing source record or 'not-found'.
 * @param b - change builder
 * @param key - source key
 */
export async function existingSource(b: ChangeBuilder, key: string): Promise<StoredSource> {
  const src = await b.source(key);
  if (!src) {
    throw new MediatorError('not-found', 'unknown source record');
  }
  return src;
}

/**
 * Leases of an operation on a source: the source, its current golden record and `mpiIds` (canonical),
 * and optionally its blocking keys (an operation that removes it from its blocks).
 */
async function sourceLeases(ctx: RegistryContext, sourceKey: string, mpiIds: string[], opts: { blockingKeys?: boolean } = {}): Promise<string[]> {
  const src = await ctx.store.records.source(sourceKey);
  const goldens = [...mpiIds, src?.goldenId ?? ''].filter((m) => m).map((m) => leaseKey.golden(ctx.mpiIds.validate(m)));
  const blocks = opts.blockingKeys && src ? ctx.blocking(src.features).keys.map(leaseKey.blocking) : [];
  return [leaseKey.source(sourceKey), ...goldens, ...blocks];
}

/**
 * Manually link a source record to a golden record.
 * @param ctx - registry context
 * @param sourceKey - `system|value` of the source
 * @param mpiId - target MPI ID
 * @param actor - who
 * @param reason - why
 */
export async function linkSource(ctx: RegistryContext, sourceKey: string, mpiId: string, actor: Actor, reason?: string): Promise<GoldenRecord> {
  ctx.mpiIds.validate(mpiId);
  const leases = await sourceLeases(ctx, sourceKey, [mpiId]);
  return runChange(ctx, { operation: 'link', actor, leases, ...(reason ? { reason } : {}) }, async (b) => {
    const src = await existingSource(b, sourceKey);
    const target = await writableGolden(ctx, b, mpiId);
    if (src.goldenId === target.mpiId && src.linkState === 'manual') {
      return () => publicGolden(target);
    }
    await b.moveSource(src, target.mpiId, 'manual');
    b.patientEvent('linked', target.mpiId);
    return () => publicGolden(b.stagedGolden(target.mpiId) as StoredGolden);
  });
}

/**
 * Manually unlink a source record into a new golden record of its own; remembered as not-a-match
 * with the golden record it leaves.
 * @param ctx - registry context
 * @param sourceKey - `system|value` of the source
 * @param actor - who
 * @param reason - why
 * @returns the source's new golden record
 */
export async function unlinkSource(ctx: RegistryContext, sourceKey: string, actor: Actor, reason?: string): Promise<GoldenRecord> {
  const leases = await sourceLeases(ctx, sourceKey, []);
  return runChange(ctx, { operation: 'unlink', actor, leases, ...(reason ? { reason } : {}) }, async (b) => {
    const src = await existingSource(b, sourceKey);
    const from = src.goldenId ? await b.golden(src.goldenId) : null;
    if (from && from.sourceKeys.every((k) => k === src.key)) {
      if (src.linkState !== 'manual') {
        src.linkState = 'manual';
        b.stageSource(src);
        b.stageGolden(from);
        b.patientEvent('unlinked', from.mpiId);
      }
      return () => publicGolden(b.stagedGolden(from.mpiId) ?? from);
    }
    const golden = b.createGolden();
    if (from) {
      const others = from.sourceKeys.filter((k) => k !== src.key);
      b.addNotAMatch(src, { sourceKey: src.key, mpiId: from.mpiId, otherSourceKeys: others, at: b.at, by: actor });
    }
    await b.moveSource(src, golden.mpiId, 'manual');
    b.patientEvent('unlinked', golden.mpiId, from ? { mpiId: from.mpiId } : undefined);
    return () => publicGolden(b.stagedGolden(golden.mpiId) as StoredGolden);
  });
}

/**
 * Soft-delete a source record: it stays referenced but no longer feeds its golden record.
 * @param ctx - registry context
 * @param key - source key
 * @param actor - who
 * @param expectedVersion - If-Match version
 */
export async function deactivateSource(ctx: RegistryContext, key: string, actor: Actor, expectedVersion?: number): Promise<SourceRecord> {
  // It leaves its blocks: lease them, as a registration deciding on them does.
  const leases = await sourceLeases(ctx, key, [], { blockingKeys: true });
  return runChange(ctx, { operation: 'deactivate', actor, leases }, async (b) => {
    const src = await existingSource(b, key);
    if (expectedVersion !== undefined && src.version !== expectedVersion) {
      throw new MediatorError('precondition-failed', `Version conflict: current version is ${src.version}`, { version: src.version });
    }
    if (!src.active) {
      return () => publicSource(src);
    }
    src.active = false;
    src.patient = { ...src.patient, active: false };
    b.stageSource(src);
    const g = src.goldenId ? await b.golden(src.goldenId) : null;
    if (g) {
      b.stageGolden(g);
    }
    b.patientEvent('deactivated', src.goldenId ?? '');
    return () => publicSource(b.stagedSource(key) as StoredSource);
  });
}

/**
 * Add an external identifier to a golden record's cross-reference.
 * @param ctx - registry context
 * @param mpiId - the golden record
 * @param id - the identifier
 * @param actor - who
 */
export async function addIdentifier(ctx: RegistryContext, mpiId: string, id: IdentifierRef, actor: Actor): Promise<GoldenRecord> {
  if (!id.system || !id.value) {
    throw new MediatorError('invalid', 'identifier needs system and value');
  }
  const canonical = ctx.mpiIds.validate(mpiId);
  const key = identifierKey(id);
  return runChange(ctx, { operation: 'add-identifier', actor, leases: [leaseKey.golden(canonical), leaseKey.identifier(key)] }, async (b) => {
    const g = await writableGolden(ctx, b, canonical);
    const [holder] = await ctx.store.records.xref([key]);
    b.knowXref(key, holder?.mpiId ?? null);
    if (holder && holder.mpiId !== g.mpiId) {
      throw new MediatorError('conflict', 'identifier already belongs to another golden record', { mpiId: holder.mpiId });
    }
    if (holder || g.extraIdentifiers.some((e) => e.system === id.system && e.value === id.value)) {
      return () => publicGolden(g);
    }
    g.extraIdentifiers = [...g.extraIdentifiers, { system: id.system, value: id.value }];
    b.stageGolden(g);
    b.patientEvent('updated', g.mpiId);
    return () => publicGolden(b.stagedGolden(g.mpiId) as StoredGolden);
  });
}

const NOT_PATCHABLE = new Set(['resourceType', 'id', 'meta', 'identifier', 'link', 'active']);

/**
 * Steward edit of golden demographics; survivorship keeps honouring it.
 * @param ctx - registry context
 * @param mpiId - the golden record
 * @param patch - Patient fields to override
 * @param actor - who
 * @param expectedVersion - If-Match version
 */
export async function patchGolden(ctx: RegistryContext, mpiId: string, patch: Partial<Patient>, actor: Actor, expectedVersion?: number): Promise<GoldenRecord> {
  const canonical = ctx.mpiIds.validate(mpiId);
  const bad = Object.keys(patch).filter((k) => NOT_PATCHABLE.has(k));
  if (bad.length > 0) {
    throw new MediatorError('invalid', `fields not patchable on a golden record: ${bad.join(', ')}`);
  }
  return runChange(ctx, { operation: 'patch', actor, leases: [leaseKey.golden(canonical)] }, async (b) => {
    const g = await writableGolden(ctx, b, canonical);
    if (expectedVersion !== undefined && g.version !== expectedVersion) {
      throw new MediatorError('precondition-failed', `Version conflict: current version is ${g.version}`, { version: g.version });
    }
    g.stewardPatch = { ...g.stewardPatch, ...jsonClone(patch) };
    b.stageGolden(g);
    b.patientEvent('updated', g.mpiId);
    return () => publicGolden(b.stagedGolden(g.mpiId) as StoredGolden);
  });
}
