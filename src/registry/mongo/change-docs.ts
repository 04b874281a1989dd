/**
 * How a change is stored in the change log collection (change-log.ts): the document of a change, the
 * change read back, and which changes are still in flight.
 */
import type { Collection, Document } from 'mongodb';
import type { Change } from '../store';

/** The `_id` of a change's lease document. */
export const leaseDocId = (changeId: string): string => `lease:${changeId}`;

const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/**
 * The stored document of a change.
 * @param c - the change
 */
export function toDoc(c: Change): Document {
  // Its leases live in its lease document only: here they would stay in the unique index for good.
  // No empty `guards` array either: every empty array is the same key (undefined) of a unique index.
  // Whether it is applied is whether its lease document still exists. What is left to publish lives
  // in its outbox documents (outbox-docs.ts), not here.
  const { leases: _leases, guards, applied: _applied, unpublished: _unpublished, ...rest } = c;
  return { _id: c.id, t: 'c', ...plain(rest), ...(guards.length > 0 ? { guards } : {}) };
}

/**
 * A change read back (defaults for what retention removed).
 * @param d - its document
 * @param applied - whether it is applied
 */
export function fromDoc(d: Document | null, applied: boolean): Change | null {
  if (!d) return null;
  const { _id: _i, t: _t, ...rest } = d;
  // A change past retention has no events or writes left.
  return { writes: { sources: [], goldens: [], xrefPut: [], xrefDel: [] }, leases: [], guards: [], events: [], unpublished: [], ...rest, applied } as unknown as Change;
}

/** Which of these changes are still in flight (their lease document exists). */
/**
 * @param coll - the changes collection
 * @param ids - change ids
 */
export async function inFlight(coll: Collection<Document>, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  return new Set((await coll.find({ _id: { $in: ids.map(leaseDocId) as never[] } }, { projection: { change: 1 } }).toArray()).map((d) => String(d.change)));
}

