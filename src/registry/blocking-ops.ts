/**
 * Blocking-index maintenance for a change: the entries to remove and add when a source record's
 * blocking keys change (or it is activated / deactivated). A record is filed under each blocking key
 * and under its refined form (given initial, sex, birth month appended), so that a large block can
 * be read through the refined one instead — one small read, whatever the registry's size.
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
  const old = before?.active ? indexKeys(engine, before) : [];
  const now = after.active ? indexKeys(engine, after) : [];
  if (old.length === now.length && old.every((k) => now.includes(k))) return [];
  return [
    ...old.filter((k) => !now.includes(k)).map((key): ChangeOp => ({ op: 'block.del', entry: { key, sourceKey: after.key } })),
    ...now.filter((k) => !old.includes(k)).map((key): ChangeOp => ({ op: 'block.add', entry: { key, sourceKey: after.key } })),
  ];
}

/** Every key a source is filed under: its blocking keys and their refined forms (distinct). */
function indexKeys(engine: MatchingEngine, s: StoredSource): string[] {
  return [...new Set([...engine.blockingKeys(s.features), ...(engine.refinedBlockingKeys?.(s.features) ?? [])])];
}
