/**
 * Re-publishing identity events for a consumer that lost its store (`npm run events -- replay`).
 *
 * Two sources of events:
 * - `snapshot` (always available): one fresh `org.passerelle.patient.updated` event per golden
 *   record — the golden Patient at its current version with every member source Patient; a merged
 *   (retired) golden record goes out inactive with its `replaced-by` link, keyed by its survivor.
 *   Fresh `ce_id`s: consumers apply them (they keep the newest `meta.versionId` of each Patient, so a
 *   snapshot racing a live change never wins over a newer version).
 * - `retained`: the events the registry kept, as first published (same `ce_id`), in commit order —
 *   what a store offers through `RetainedEvents` (the change log keeps each change's events; with a
 *   retention period, what is older is gone and only a snapshot can cover it).
 */
import { randomUUID } from 'node:crypto';
import type { OutboxEvent } from '../core/types';
import type { GoldenRecord, RegistryService } from '../registry/api';
import { buildPatientEvent } from '../registry/pmir-event';

import type { ReplayScope, RetainedEvents } from '../registry/store';

export type { ReplayScope, RetainedEvents } from '../registry/store';

/** The MPI IDs of golden records changed since `since` (ISO 8601), found through the history. */
async function changedSince(registry: RegistryService, since: string): Promise<string[]> {
  const goldens = new Set<string>();
  const sources = new Set<string>();
  for (let offset = 0; ; offset += 500) {
    const page = await registry.typeHistory({ since, offset, count: 500 });
    for (const h of page.items) (h.kind === 'golden' ? goldens : sources).add(h.id);
    if (page.items.length < 500) break;
  }
  for (const id of sources) {
    const s = await registry.getSourceById(id);
    if (s?.goldenId) goldens.add(s.goldenId);
  }
  return [...goldens].sort();
}

async function snapshotOf(registry: RegistryService, g: GoldenRecord, instance: string, now: string): Promise<OutboxEvent> {
  const survivor = g.status === 'merged' && g.mergedInto ? (await registry.getGolden(g.mergedInto))?.golden : undefined;
  const standing = survivor ?? g;
  const members = await registry.getSources(standing.sourceKeys);
  return buildPatientEvent({
    id: randomUUID(), type: 'updated', time: now, golden: standing.patient,
    sources: members.map((s) => s.patient), ...(survivor ? { other: g.patient } : {}),
    sourceEndpoint: `urn:passerelle:${instance}`,
  });
}

/**
 * Snapshot events of the golden records in `scope`, handed to `publish` in batches.
 * @param registry - the registry service
 * @param scope - one MPI ID (and, if it was merged, its survivor), or every golden record changed since a time
 * @param opts - instance name, batch size, and what to do with each batch
 * @returns how many events were handed over
 */
export async function replaySnapshot(registry: RegistryService, scope: ReplayScope, opts: { instance: string; batchSize?: number; publish(events: OutboxEvent[]): Promise<void> }): Promise<number> {
  const ids = 'mpiId' in scope ? [scope.mpiId] : await changedSince(registry, scope.since);
  const now = new Date().toISOString();
  const size = opts.batchSize ?? 200;
  let count = 0;
  for (let i = 0; i < ids.length; i += size) {
    const goldens = await registry.getGoldens(ids.slice(i, i + size));
    const events: OutboxEvent[] = [];
    for (const g of goldens) events.push(await snapshotOf(registry, g, opts.instance, now));
    if (events.length > 0) await opts.publish(events);
    count += events.length;
  }
  return count;
}

/**
 * The retained events of `scope`, handed to `publish` page by page, as first published.
 * @param store - a store that retains events
 * @param scope - one MPI ID or a start time
 * @param opts - page size and what to do with each page
 * @returns how many events were handed over
 */
export async function replayRetained(store: RetainedEvents, scope: ReplayScope, opts: { pageSize?: number; publish(events: OutboxEvent[]): Promise<void> }): Promise<number> {
  let after: number | null = null;
  let count = 0;
  do {
    const page: Awaited<ReturnType<RetainedEvents['retained']>> = await store.retained(scope, { after, limit: opts.pageSize ?? 200 });
    if (page.events.length > 0) await opts.publish(page.events);
    count += page.events.length;
    after = page.next;
  } while (after !== null);
  return count;
}
