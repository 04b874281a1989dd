/**
 * Staged cross-reference and blocking-index writes of an atomic unit of work (see staging/overlay.ts):
 * writes are remembered here, with deletions as tombstones, and every read is the base store's
 * answer corrected by them — so the unit's later steps see its earlier ones, and the base store
 * sees nothing until the unit commits.
 */
import { MediatorError } from '../../core/errors';
import type { IdentifierRef } from '../../core/types';
import type { BlockingStore, XrefEntry, XrefStore } from '../store';

const xk = (id: IdentifierRef): string => `${id.system}\u0000${id.value}`;

/**
 * A cross-reference view: staged entries (null = removed) over the base store.
 * @param base - the committed cross-reference
 */
export function stagedXref(base: XrefStore): XrefStore {
  const touched = new Map<string, XrefEntry | null>();
  const get = async (id: IdentifierRef): Promise<XrefEntry | null> => {
    const k = xk(id);
    return touched.has(k) ? (touched.get(k) ?? null) : base.get(id);
  };
  return {
    get,
    byMpiId: async (mpiId) => {
      const committed = (await base.byMpiId(mpiId)).filter((e) => !touched.has(xk(e)));
      const staged = [...touched.values()].filter((e): e is XrefEntry => e?.mpiId === mpiId);
      return [...committed, ...staged];
    },
    put: async (e) => void touched.set(xk(e), { ...e }),
    insert: async (e) => {
      if (await get(e)) throw new MediatorError('conflict', 'identifier already cross-referenced', { system: e.system });
      touched.set(xk(e), { ...e });
    },
    remove: async (e) => {
      if ((await get(e))?.mpiId === e.mpiId) touched.set(xk(e), null);
    },
  };
}

/**
 * A blocking-index view: staged additions and removals per key over the base store.
 * @param base - the committed blocking index
 */
export function stagedBlocking(base: BlockingStore): BlockingStore {
  const added = new Map<string, Set<string>>();
  const removed = new Map<string, Set<string>>();
  const setOf = (m: Map<string, Set<string>>, key: string): Set<string> => {
    let s = m.get(key);
    if (!s) m.set(key, (s = new Set()));
    return s;
  };
  return {
    add: async (e) => {
      setOf(added, e.key).add(e.sourceKey);
      removed.get(e.key)?.delete(e.sourceKey);
    },
    remove: async (e) => {
      setOf(removed, e.key).add(e.sourceKey);
      added.get(e.key)?.delete(e.sourceKey);
    },
    lookup: async (key, cap) => {
      const gone = removed.get(key) ?? new Set<string>();
      // Read enough committed entries that the tombstones cannot push the block under its true size.
      const committed = (await base.lookup(key, cap + gone.size)).filter((k) => !gone.has(k));
      const all = new Set([...committed, ...(added.get(key) ?? [])]);
      return [...all].sort().slice(0, cap + 1);
    },
  };
}
