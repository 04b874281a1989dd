/**
 * Claiming a batch of outbox entries on MongoDB (the design is in core/outbox-claims.ts). One batch
 * costs four commands before the publish, whatever its size:
 * 1. read the window of entries waiting, in publication order (claim fields and keys only);
 * 2. (the registry only) which of them are still in flight;
 * 3. claim the chosen ones: ONE `updateMany` whose filter repeats, per document, "still waiting and
 *    unclaimed, mine or expired" — each document's update is atomic, so two processes never both hold
 *    an entry, whatever their timing;
 * 4. read back the entries chosen, whole: those carrying this batch's token are held; the others went
 *    to another process (or were published) between 1 and 3, and the order walk runs again on that.
 * Where entries are small (`wholeWindow`), step 1 reads them whole and step 4 is skipped when the
 * claim modified every entry chosen (each document's filter held, so each carries the token): the
 * read-back runs only when another process won some of them.
 * Marking published clears the claim in the same update that records the publication.
 */
import { randomBytes } from 'node:crypto';
import type { Collection, Document, Filter, Sort } from 'mongodb';
import { claimable, publishable } from '../core/outbox-claims';
import type { Claimant, EntryStanding, WalkEntry } from '../core/outbox-claims';

/** The claim fields an entry carries (unset when it is published). */
export const CLAIM_FIELDS = { claimedBy: '', claimUntil: '', claimToken: '' } as const;

/** What to claim in one collection. */
export interface ClaimQuery {
  /** The entries that wait to be published. */
  waiting: Filter<Document>;
  /** Publication order (an index should serve `waiting` + `sort`). */
  sort: Sort;
  /** Per-key order across documents: the keys of a document (omit when documents have no order to keep). */
  keysOf?: (doc: Document) => string[];
  /** The fields `keysOf` and `sizeOf` read. */
  keyFields?: Record<string, 1>;
  /** Events a document holds (default 1). */
  sizeOf?: (doc: Document) => number;
  /** Entries not ready to publish though waiting (the registry: changes still in flight). */
  notReady?: (ids: string[]) => Promise<Set<string>>;
  /** Projection of the whole read (step 4). */
  projection?: Document;
  /**
   * Entries left out of the window though waiting (`_id`s): those this process is marking published
   * now. Only the window's read filters on them; the claim and read-back select by `_id` alone.
   */
  skip?: string[];
  /**
   * Read the window whole (with `projection`) and skip the read-back when every claim held: for
   * small entries, where one read of the window costs less than two.
   */
  wholeWindow?: boolean;
}

/** The filter "a claimant may claim it now": unclaimed, its own, or expired. */
function claimableFilter(holder: string, now: number): Filter<Document> {
  return { $or: [{ claimedBy: { $exists: false } }, { claimedBy: holder }, { claimUntil: { $lt: now } }] };
}

/**
 * Give up this claimant's claims on entries still waiting (a process stopping cleanly): the other
 * processes take them at once instead of after the lease.
 * @param col - the collection
 * @param holder - the claimant's holder id
 * @param waiting - the entries that wait to be published (the claim query's `waiting`)
 */
export async function releaseClaims(col: Collection<Document>, holder: string, waiting: Filter<Document>): Promise<void> {
  await col.updateMany({ $and: [waiting, { claimedBy: holder }] }, { $unset: CLAIM_FIELDS });
}

interface Entry extends WalkEntry {
  doc: Document;
}

function entryOf(q: ClaimQuery, doc: Document): Entry {
  return { id: String(doc._id), keys: q.keysOf?.(doc) ?? [], size: q.sizeOf?.(doc) ?? 1, doc };
}

/**
 * Claim up to `limit` events' worth of entries for `claimant` and return them whole, in publication
 * order, ready to publish (per-key order respected across processes).
 * @param col - the collection
 * @param claimant - this process's claimant
 * @param q - what waits, in which order, with which keys
 * @param limit - events at most
 */
export async function claimBatch(col: Collection<Document>, claimant: Claimant, q: ClaimQuery, limit: number): Promise<Document[]> {
  const now = Date.now();
  const { holder } = claimant;
  // Without keys to order, entries others hold need not be seen: read only what can be claimed.
  const waiting = q.skip?.length ? { $and: [q.waiting, { _id: { $nin: q.skip as never[] } }] } : q.waiting;
  const windowFilter = q.keysOf ? waiting : { $and: [waiting, claimableFilter(holder, now)] };
  const fields = q.wholeWindow ? q.projection ?? {} : { _id: 1, claimedBy: 1, claimUntil: 1, ...q.keyFields };
  // Beyond the limit: another process's batch at the head of the queue does not starve this one.
  const size = !q.keysOf ? limit : q.wholeWindow ? Math.ceil(limit * 1.25) : limit * 2;
  const window = (await col.find(windowFilter, { projection: fields }).sort(q.sort).limit(size).toArray()).map((d) => entryOf(q, d));
  if (window.length === 0) return [];
  const notReady = q.notReady ? await q.notReady(window.map((e) => e.id)) : new Set<string>();
  const plan = publishable(window, (e) => (!notReady.has(e.id) && claimable(e.doc, holder, now) ? 'mine' : 'blocking'), limit);
  if (plan.length === 0) return [];
  const token = randomBytes(8).toString('hex');
  const ids = plan.map((e) => e.doc._id as never);
  const claim = { claimedBy: holder, claimUntil: now + claimant.leaseMs, claimToken: token };
  const claimed = await col.updateMany({ $and: [{ _id: { $in: ids } }, q.waiting, claimableFilter(holder, now)] }, { $set: claim });
  // Every entry chosen took this batch's token: they are held as read (a later change by another
  // process could only have published some of their events: republished, never lost).
  if (q.wholeWindow && claimed.modifiedCount === plan.length) return plan.map((e) => ({ ...e.doc, ...claim }));
  const held = new Map((await col.find({ $and: [{ _id: { $in: ids } }, q.waiting] }, { projection: q.projection ?? {} }).toArray()).map((d) => [String(d._id), d]));
  const chosen = new Set(plan.map((e) => e.id));
  // Not chosen: blocking as in the plan (or after the last chosen entry, where it does not matter).
  const standing = (e: Entry): EntryStanding => {
    if (!chosen.has(e.id)) return 'blocking';
    const d = held.get(e.id);
    if (!d) return 'done';
    return d.claimToken === token ? 'mine' : 'blocking';
  };
  return publishable(window, standing, Infinity).map((e) => held.get(e.id) as Document);
}
