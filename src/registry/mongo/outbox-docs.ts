/**
 * The registry's outbox documents on MongoDB: what the relay reads, written in the same ordered
 * insert as the change they belong to (change-log.ts), removed once published.
 *
 * Why not publish from the change documents themselves: a change document carries the records it
 * wrote (for recovery) and its history, ~10 KB and hundreds of fields for one registration, and the
 * server decodes all of it for every read and every claim or mark update, even under a projection.
 * On the local stand-in that made the relay read and claim at ~1 ms per event (a tenth of a raw
 * producer). An outbox document holds only what publishing needs: the change's seq (publication
 * order), its event keys (per-key order across processes), the ids still to publish, and the built
 * events as ONE JSON string — a single field to decode, whatever the size of the Patients inside.
 *
 * A change with many events (a bulk page) is cut into parts of at most OUTBOX_PART events, so no
 * document approaches MongoDB's 16 MB limit; parts are published in order (`seq`, then `part`).
 *
 * A published document is not deleted but emptied to a tombstone (`_id`, `t`, `at` = when it was
 * published) that the retention job removes: while its `_id` exists, no late writer can insert the
 * document again — recovery restoring the outbox of a change it listed as unfinished just before the
 * change finished and was published, or a second process moving a former database's outbox at start —
 * and so publish its events twice.
 */
import type { Collection, Document } from 'mongodb';
import { isDuplicateKey } from '../../storage/errors';
import { CLAIM_FIELDS } from '../../storage/outbox-claims';
import type { OutboxEvent } from '../../core/types';
import { pendingEventsOf } from '../change-events';
import type { Change, EventRecord } from '../store';

/** Events per outbox document at most. */
export const OUTBOX_PART = 100;

/** The `t` of outbox documents in the changes collection. */
export const OUTBOX_KIND = 'o';

/** The keys whose order a change must keep: topic and key of each of its events. */
export const eventKeysOf = (events: ReadonlyArray<Pick<EventRecord, 'topic' | 'key'>>): string[] => events.map((e) => `${e.topic}|${e.key}`);

/**
 * The `_id` of one part of a change's outbox.
 * @param changeId - the change
 * @param part - the part number (0-based)
 */
export const outboxDocId = (changeId: string, part: number): string => `out:${changeId}:${part}`;

/**
 * A filter on `_id` for every outbox part of a change (an index range on `_id`: ':' < ';').
 * @param changeId - the change
 */
export const outboxIdsOf = (changeId: string): Document => ({ _id: { $gte: `out:${changeId}:`, $lt: `out:${changeId};` } });

/** What publishing removes from an outbox document: everything but `_id`, `t` and `at`. */
const PUBLISHED_UNSET = { pending: '', seq: '', part: '', keys: '', unpublished: '', events: '', ...CLAIM_FIELDS } as const;

/**
 * The update that turns published outbox documents into tombstones.
 * @param now - the time of publication (ISO 8601), from which retention counts
 */
export const tombstoneUpdate = (now: string): Document => ({ $set: { at: now }, $unset: PUBLISHED_UNSET });

/** Tombstones published before a time: what the retention job removes. */
export const tombstonesBefore = (before: string): Document => ({ t: OUTBOX_KIND, at: { $lt: before }, pending: { $exists: false } });

/**
 * The change an outbox document belongs to, from its `_id`.
 * @param id - an outbox document's `_id`
 */
export const changeOfOutboxId = (id: string): string => id.slice(4, id.lastIndexOf(':'));

/**
 * The outbox documents of a change: its unpublished events, built, in parts.
 * @param change - the change (at commit, every event is unpublished)
 */
export function outboxDocsOf(change: Change): Document[] {
  const events = pendingEventsOf(change);
  const docs: Document[] = [];
  for (let part = 0; part * OUTBOX_PART < events.length; part++) {
    const slice = events.slice(part * OUTBOX_PART, (part + 1) * OUTBOX_PART);
    docs.push({
      _id: outboxDocId(change.id, part), t: OUTBOX_KIND, seq: change.seq, part, at: change.at, pending: true,
      keys: eventKeysOf(slice), unpublished: slice.map((e) => e.id), events: JSON.stringify(slice),
    });
  }
  return docs;
}

/**
 * The events of an outbox document still to publish, in the order the change emitted them.
 * @param doc - an outbox document (read whole)
 */
export function eventsOfOutboxDoc(doc: Document): OutboxEvent[] {
  const waiting = new Set(doc.unpublished as string[]);
  return (JSON.parse(doc.events as string) as OutboxEvent[]).filter((e) => waiting.has(e.id));
}

/**
 * Move the outbox of a database written before outbox documents existed: change documents still
 * marked `pending` get outbox documents for their unpublished events, then lose the mark. Idempotent
 * (a document already moved, or published since, is a duplicate key, ignored), so every process may
 * run it at start.
 * @param coll - the changes collection
 * @returns how many changes were moved
 */
export async function moveLegacyOutbox(coll: Collection<Document>): Promise<number> {
  const legacy = await coll.find({ t: 'c', pending: true }).toArray();
  for (const d of legacy) {
    const docs = outboxDocsOf({ ...(d as unknown as Change), id: String(d._id), unpublished: (d.unpublished as string[] | undefined) ?? [] });
    if (docs.length > 0) {
      await coll.insertMany(docs, { ordered: false }).catch((err: unknown) => {
        if (!isDuplicateKey(err)) throw err;
      });
    }
    await coll.updateOne({ _id: d._id }, { $unset: { pending: '', unpublished: '', ...CLAIM_FIELDS } });
  }
  return legacy.length;
}
