/**
 * Blocking-index maintenance for a change: the entries to remove and add when a source record's
 * blocking keys change (or it is activated / deactivated). Each added entry carries the record's
 * other keys, which the store uses to tighten an over-full block, and the refined form of its own
 * key, which splits a large one.
 */
import type { MatchingEngine } from './matching/contract';
import type { ChangeOp, StoredSource } from './store';

/**
 * Blocking-index ops for one source record moving from `before` to `after`.
 * @param engine - the matching engine (computes the keys)
 * @param before - the stored state, or null for a new record
 * @param after - the new state
 */
export function blockingDiffOps(engine: MatchingEngine, before: StoredSource | null, after: StoredSource): ChangeOp[] {
  const old = before?.active ? engine.blockingKeys(before.features) : [];
  const now = after.active ? engine.blockingKeys(after.features) : [];
  const oldFine = before?.active ? engine.refinedBlockingKeys?.(before.features) ?? [] : [];
  const fine = after.active ? engine.refinedBlockingKeys?.(after.features) ?? [] : [];
  const same = (a: string[], b: string[]): boolean => a.length === b.length && a.every((k) => b.includes(k));
  if (same(old, now) && same(oldFine, fine)) return [];
  return [
    ...old.filter((k) => !now.includes(k)).map((key): ChangeOp => ({ op: 'block.del', entry: { key, sourceKey: after.key, refine: [] } })),
    ...now.map((key, i): ChangeOp => {
      // The entry's own refined key lets a large block be split; the other keys let it be tightened.
      const own = fine[i] !== undefined && fine[i] !== key ? [fine[i]] : [];
      return { op: 'block.add', entry: { key, sourceKey: after.key, refine: [...now.filter((k) => k !== key), ...own] } };
    }),
  ];
}
