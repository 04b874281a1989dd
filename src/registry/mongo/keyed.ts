/**
 * Blocking index and cross-reference shaped for point reads by `_id` (FerretDB 1.24 pushes only a
 * bare `{_id}` equality down to SQL; any other filter makes it decode the whole collection).
 *
 * Blocking: ONE document per blocking key, `{_id: key, m: {<field(sourceKey)>: 1}}`, so
 * a lookup is a single `findOne({_id})` instead of a query on `key` (which FerretDB's SQLite backend
 * cannot push down). FerretDB limits shape it: a map instead of an array of entries because `$pull`
 * with conditions is a silent no-op there and positional updates are unsupported, so entries are
 * added and removed atomically with `$set`/`$unset` of one field; field names are the source key in
 * base64url (source keys contain '.' and may contain '$', both forbidden in field names). Values are
 * a bare 1 (older documents hold string arrays there, ignored), so a block costs ≈ 40 bytes per
 * record and stays far below the 16 MB document limit: a large block is read through its refined
 * key rather than grown without end.
 *
 * Cross-reference: `_id` = identifier key, so get/insert/put are by `_id` (insert of a unique `_id`
 * is the cheap write everywhere; the unique system+value index stays as a second guard).
 */
import type { AnyBulkWriteOperation, Collection, Db, Document, UpdateFilter } from 'mongodb';
import type { BlockingEdit, BlockingEntry, BlockingStore } from '../store';
import { isDuplicateKey, upsertOnce } from '../../storage/errors';

type BlockDoc = { _id: string; m?: Record<string, unknown> };

/**
 * `_id` of a cross-reference entry: `system|value`, with '%' and '|' escaped in the system so two
 * different identifiers can never share an `_id`.
 * @param system - identifier system
 * @param value - identifier value
 */
export function xrefId(system: string, value: string): string {
  return `${system.replace(/%/g, '%25').replace(/\|/g, '%7C')}|${value}`;
}

/** Field name of a source key in a block document (prefixed so it never looks like an array index). */
function field(sourceKey: string): string {
  return `k${Buffer.from(sourceKey, 'utf8').toString('base64url')}`;
}

function sourceKeyOf(name: string): string {
  return Buffer.from(name.slice(1), 'base64url').toString('utf8');
}

function sourceKeysOf(doc: BlockDoc | null): string[] {
  return Object.keys(doc?.m ?? {}).map(sourceKeyOf);
}

/**
 * Blocking store over one document per blocking key.
 * @param coll - the blocks collection
 */
export function mongoBlocking(coll: Collection<BlockDoc>): BlockingStore {
  // One write per edit, used alone or in a bulk: the member's field is set (add, upsert) or unset.
  const write = ({ op, entry: e }: BlockingEdit): { filter: { _id: string }; update: UpdateFilter<BlockDoc>; upsert: boolean } => {
    const path = `m.${field(e.sourceKey)}`;
    return op === 'block.add'
      ? { filter: { _id: e.key }, update: { $set: { [path]: 1 } }, upsert: true }
      : { filter: { _id: e.key }, update: { $unset: { [path]: '' as const } }, upsert: false };
  };
  // A concurrent first insert of the same block document fails the upsert once: the edit is idempotent.
  const applyOne = async (edit: BlockingEdit): Promise<void> => {
    const w = write(edit);
    await upsertOnce(() => coll.updateOne(w.filter, w.update, { upsert: w.upsert }));
  };
  return {
    add: (entry: BlockingEntry) => applyOne({ op: 'block.add', entry }),
    remove: (entry: BlockingEntry) => applyOne({ op: 'block.del', entry }),
    async applyEdits(edits: BlockingEdit[]): Promise<void> {
      try {
        await coll.bulkWrite(edits.map((e): AnyBulkWriteOperation<BlockDoc> => ({ updateOne: write(e) })), { ordered: true });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        // Lost a first-insert race part-way: the edits are idempotent, so redo them one by one.
        for (const e of edits) await applyOne(e);
      }
    },
    async lookup(key: string, cap: number): Promise<string[]> {
      return sourceKeysOf(await coll.findOne({ _id: key })).sort().slice(0, cap + 1);
    },
  };
}

/**
 * One-time move of a database written by the previous layout (xref entries with generated `_id`s,
 * one blocking document per entry in `<prefix>blocking`) to the keyed layout. Idempotent; a crash
 * mid-way is finished by the next start. An xref entry is deleted before it is re-inserted under its
 * new `_id` (the unique system+value index forbids both at once): a crash in between loses that one
 * entry until the record is next written.
 * @param db - database
 * @param names - the store's collection names
 * @param legacyBlocking - name of the old blocking collection
 */
export async function migrateLegacyLayout(db: Db, names: { xref: string; blocks: string }, legacyBlocking: string): Promise<void> {
  const xref = db.collection(names.xref);
  for (const d of await xref.find({ _id: { $type: 'objectId' } }).toArray()) {
    await xref.deleteOne({ _id: d._id });
    const _id = xrefId(String(d.system), String(d.value)) as unknown as Document['_id'];
    await upsertOnce(() => xref.updateOne({ _id }, { $set: { system: d.system, value: d.value, mpiId: d.mpiId } }, { upsert: true }));
  }
  if (!(await db.listCollections({ name: legacyBlocking }, { nameOnly: true }).hasNext())) {
    return;
  }
  const blocks = mongoBlocking(db.collection<BlockDoc>(names.blocks));
  for (const d of await db.collection(legacyBlocking).find({}).toArray()) {
    await blocks.add({ key: String(d.key), sourceKey: String(d.sourceKey) });
  }
  await db.collection(legacyBlocking).drop();
}
