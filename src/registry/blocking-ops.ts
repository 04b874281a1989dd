/**
 * Blocking-index maintenance for a change: the entries to remove and add when a source record's
 * blocking keys change (or it is activated / deactivated). Each added entry carries the record's
 * other keys, which the store uses to tighten an over-full block.
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
  if (old.length === now.length && old.every((k) => now.includes(k))) return [];
  return [
    ...old.filter((k) => !now.includes(k)).map((key): ChangeOp => ({ op: 'block.del', entry: { key, sourceKey: after.key, refine: [] } })),
    ...now.map((key): ChangeOp => ({ op: 'block.add', entry: { key, sourceKey: after.key, refine: now.filter((k) => k !== key) } })),
  ];
}
