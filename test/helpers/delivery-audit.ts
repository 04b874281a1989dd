/**
 * Compares what reached a topic with what the registry committed: lost events, duplicates, and
 * per-key order (after deduplication on ce_id, each key's events must come in commit order).
 */
import type { OutboxEvent } from '../../src/core/types';
import type { ConsumedMessage } from './kafka';

/** The outcome of one delivery audit. */
export interface DeliveryAudit {
  committed: number;
  delivered: number;
  lost: number;
  duplicates: number;
  /** Keys whose first deliveries are not in commit order. */
  outOfOrderKeys: number;
  /** ce_ids delivered more than once. */
  duplicatedIds: string[];
}

/**
 * @param committed - the committed events in commit order (the change log's retained events)
 * @param delivered - the messages read from the topic, in partition order
 */
export function auditDelivery(committed: OutboxEvent[], delivered: ConsumedMessage[]): DeliveryAudit {
  const counts = new Map<string, number>();
  for (const m of delivered) counts.set(m.headers.ce_id ?? '', (counts.get(m.headers.ce_id ?? '') ?? 0) + 1);
  const lost = committed.filter((e) => !counts.has(e.id)).length;
  const duplicatedIds = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  const firstSeen = new Map<string, string[]>();
  const seen = new Set<string>();
  const byPartition = [...delivered].sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
  for (const m of byPartition) {
    const id = m.headers.ce_id ?? '';
    if (seen.has(id)) continue;
    seen.add(id);
    firstSeen.set(m.key, [...(firstSeen.get(m.key) ?? []), id]);
  }
  const expected = new Map<string, string[]>();
  for (const e of committed) expected.set(e.key, [...(expected.get(e.key) ?? []), e.id]);
  const outOfOrderKeys = [...expected].filter(([key, ids]) => JSON.stringify((firstSeen.get(key) ?? []).filter((id) => ids.includes(id))) !== JSON.stringify(ids.filter((id) => counts.has(id)))).length;
  return { committed: committed.length, delivered: delivered.length, lost, duplicates: delivered.length - counts.size, outOfOrderKeys, duplicatedIds };
}
