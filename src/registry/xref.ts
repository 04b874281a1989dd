/**
 * Cross-reference maintenance for a change: which identifier → MPI ID entries to remove and to point
 * at a new holder so that each touched golden record holds exactly the identifiers of its computed
 * Patient — except one held by another golden record that still wants it (kept there, logged). What a
 * golden record held is read from its own `xrefKeys`; the holders of identifiers new to it come from
 * the change's lookups, or from one batch read when unknown. Wanted-sets are computed for every touched
 * record before any is diffed, so the result does not depend on the order records are processed.
 */
import type { RegistryContext } from './context';
import type { StoredGolden, XrefEntry } from './store';
import { identifierKey } from './keys';

/** A golden record's state before (null when new) and after the change. */
export interface GoldenTransition {
  before: StoredGolden | null;
  after: StoredGolden;
}

function wantedKeys(ctx: RegistryContext, g: StoredGolden): Set<string> {
  if (g.status === 'merged') return new Set();
  const ids = (g.patient.identifier ?? []).filter((i) => i.system && i.value && i.system !== ctx.cfg.survivorship.mpiSystem);
  return new Set(ids.map((i) => identifierKey({ system: i.system as string, value: i.value as string })));
}

/** Holders of `keys`: known ones from the change's lookups, the rest in one read. */
async function holdersOf(ctx: RegistryContext, keys: string[], known: Map<string, string | null>): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  const unknown = keys.filter((k) => {
    if (!known.has(k)) return true;
    out.set(k, known.get(k) ?? null);
    return false;
  });
  if (unknown.length > 0) {
    const found = new Map((await ctx.store.records.xref(unknown)).map((e) => [e.key, e.mpiId]));
    for (const k of unknown) out.set(k, found.get(k) ?? null);
  }
  return out;
}

/**
 * The cross-reference writes of a change; sets each touched record's `xrefKeys`.
 * @param ctx - registry context (store, logger, MPI ID system)
 * @param golds - the touched golden records
 * @param known - holders the change already read (identifier key → MPI ID, or null for none)
 */
export async function xrefDiff(ctx: RegistryContext, golds: GoldenTransition[], known: Map<string, string | null>): Promise<{ put: XrefEntry[]; del: XrefEntry[] }> {
  const desired = new Map(golds.map((g) => [g.after.mpiId, wantedKeys(ctx, g.after)]));
  const added = golds.flatMap((g) => [...(desired.get(g.after.mpiId) as Set<string>)].filter((k) => !(g.before?.xrefKeys ?? []).includes(k)));
  const holders = await holdersOf(ctx, [...new Set(added)], known);
  const put: XrefEntry[] = [];
  const del: XrefEntry[] = [];
  for (const g of golds) {
    const mpiId = g.after.mpiId;
    const want = new Set(desired.get(mpiId));
    const held: string[] = [];
    for (const k of g.before?.xrefKeys ?? []) {
      if (want.delete(k)) held.push(k);
      else del.push({ key: k, mpiId });
    }
    for (const k of want) {
      const holder = holders.get(k) ?? null;
      // Held elsewhere: taken over only from a golden record this same change stops giving it to.
      if (holder !== null && holder !== mpiId && !(desired.has(holder) && !desired.get(holder)?.has(k))) {
        ctx.logger.warn({ mpiId, holder }, 'identifier already cross-referenced to another golden record; kept there');
        continue;
      }
      if (holder !== mpiId) put.push({ key: k, mpiId });
      held.push(k);
    }
    g.after.xrefKeys = held.sort();
  }
  // An entry moved to another record of this change is rewritten, not deleted.
  const moved = new Set(put.map((e) => e.key));
  return { put, del: del.filter((e) => !moved.has(e.key)) };
}
