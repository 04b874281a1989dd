/**
 * Cross-reference maintenance for a change: which identifier → MPI ID entries to remove and add so
 * that each touched golden record holds exactly the identifiers of its computed Patient (except one
 * already held by another golden record this change leaves alone: kept there, and logged). What a
 * golden record holds is read from its own `xrefKeys` (a query by MPI ID scans on FerretDB), and the
 * new holdings are written back there, in the same change as the entries themselves.
 */
import type { RegistryContext } from './context';
import type { ChangeOp, StoredGolden, XrefEntry } from './store';

/** A golden record's state before (null when new) and after the change. */
export interface GoldenTransition {
  before: StoredGolden | null;
  after: StoredGolden;
}

function splitKey(k: string, mpiId: string): XrefEntry {
  const i = k.indexOf('|');
  return { system: k.slice(0, i), value: k.slice(i + 1), mpiId };
}

async function heldBefore(ctx: RegistryContext, g: GoldenTransition): Promise<XrefEntry[]> {
  if (!g.before) return [];
  const mpiId = g.after.mpiId;
  // Documents written before `xrefKeys` existed: ask the cross-reference itself.
  return g.before.xrefKeys ? g.before.xrefKeys.map((k) => splitKey(k, mpiId)) : ctx.store.xref.byMpiId(mpiId);
}

function wantedKeys(ctx: RegistryContext, g: StoredGolden): Set<string> {
  const ids = (g.patient.identifier ?? []).filter((i) => i.system && i.value && i.system !== ctx.cfg.survivorship.mpiSystem);
  return new Set(ids.map((i) => `${i.system as string}|${i.value as string}`));
}

/**
 * Cross-reference ops for the golden records a change touches; sets each `after.xrefKeys`.
 * @param ctx - registry context (store, logger, MPI ID system)
 * @param golds - the touched golden records
 */
export async function xrefDiffOps(ctx: RegistryContext, golds: GoldenTransition[]): Promise<ChangeOp[]> {
  const desired = new Map(golds.map((g) => [g.after.mpiId, wantedKeys(ctx, g.after)]));
  const dels: ChangeOp[] = [];
  const puts: ChangeOp[] = [];
  for (const g of golds) {
    const mpiId = g.after.mpiId;
    const want = new Set(desired.get(mpiId));
    const held: string[] = [];
    for (const e of await heldBefore(ctx, g)) {
      const k = `${e.system}|${e.value}`;
      if (want.delete(k)) held.push(k);
      else dels.push({ op: 'xref.del', entry: e });
    }
    for (const k of want) {
      const entry = splitKey(k, mpiId);
      const holder = await ctx.store.xref.get(entry);
      // Held elsewhere: taken over only from a golden record this same change stops giving it to.
      if (holder && holder.mpiId !== mpiId && !(desired.has(holder.mpiId) && !desired.get(holder.mpiId)?.has(k))) {
        ctx.logger.warn({ mpiId, holder: holder.mpiId, system: entry.system }, 'identifier already cross-referenced to another golden record; kept there');
        continue;
      }
      if (holder?.mpiId !== mpiId) puts.push({ op: 'xref.put', entry });
      held.push(k);
    }
    g.after.xrefKeys = held.sort();
  }
  return [...dels, ...puts];
}
