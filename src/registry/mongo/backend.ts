/**
 * Conditional writes by `_id`, shaped for the server behind the driver.
 *
 * FerretDB 1.x runs a find, update or delete in SQL only when its filter is exactly `{_id: <string>}`;
 * with any other filter (`{_id, version: {$lt}}`) it decodes every document of the collection in Go,
 * so a conditional write costs a full scan. Its conditional writes are also a read followed by a
 * write by `_id`, not one atomic step. On FerretDB we therefore do exactly that ourselves — a point
 * read, then a write by `_id` alone — keeping the same guarantees without the scan. MongoDB keeps the
 * single atomic conditional write.
 */
import type { Collection, Db, Document } from 'mongodb';
import { isDuplicateKey, upsertOnce } from '../../storage/errors';

const detected = new WeakMap<Db, Promise<boolean>>();

/**
 * Whether the server pushes down only `{_id}` filters (FerretDB), detected once per database handle.
 * @param db - database
 */
export function pointFiltersOnly(db: Db): Promise<boolean> {
  let known = detected.get(db);
  if (!known) {
    known = db.admin().command({ buildInfo: 1 }).then(
      (info) => 'ferretdbVersion' in info,
      () => false,
    );
    detected.set(db, known);
  }
  return known;
}

const idOf = (id: string): Document['_id'] => id;

/**
 * Write `doc` unless a same-or-newer version is stored. A first version is tried as a plain insert,
 * the cheapest write everywhere.
 * @param coll - the collection
 * @param id - the document's `_id`
 * @param doc - the whole document
 * @param version - its version
 * @param pointOnly - the server pushes down only `{_id}` filters
 */
export async function putIfNewer(coll: Collection<Document>, id: string, doc: Document, version: number, pointOnly: boolean): Promise<void> {
  if (version === 1) {
    try {
      await coll.insertOne({ ...doc, _id: idOf(id) });
      return;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err; // duplicate: already written (re-apply), or by a newer change
    }
  }
  if (pointOnly) {
    // A concurrent first write of the same `_id` makes the upsert fail: read again and decide again.
    await upsertOnce(async () => {
      const stored = await coll.findOne({ _id: idOf(id) }, { projection: { version: 1 } });
      if (stored && Number(stored.version) >= version) return;
      await coll.replaceOne({ _id: idOf(id) }, doc, { upsert: true });
    });
    return;
  }
  try {
    await coll.replaceOne({ _id: idOf(id), version: { $lt: version } }, doc, { upsert: true });
  } catch (err) {
    if (!isDuplicateKey(err)) throw err; // duplicate _id: a same-or-newer version is stored already
  }
}

/**
 * Delete the document `_id` only while `field` still has `value`.
 * @param coll - the collection
 * @param id - the document's `_id`
 * @param field - the field to check
 * @param value - the value it must have
 * @param pointOnly - the server pushes down only `{_id}` filters
 */
export async function deleteIfStill(coll: Collection<Document>, id: string, field: string, value: string, pointOnly: boolean): Promise<void> {
  if (!pointOnly) {
    await coll.deleteOne({ _id: idOf(id), [field]: value });
    return;
  }
  const stored = await coll.findOne({ _id: idOf(id) }, { projection: { [field]: 1 } });
  if (stored?.[field] === value) await coll.deleteOne({ _id: idOf(id) });
}

/**
 * Documents by `_id`, in the order of `ids` (duplicates and missing ones left out). MongoDB answers
 * one `$in` query from the `_id` index; FerretDB would decode the whole collection for it, so there
 * it is one point read per id, sent together.
 * @param coll - the collection
 * @param ids - the `_id`s
 * @param pointOnly - the server pushes down only `{_id}` filters
 */
export async function findByIds(coll: Collection<Document>, ids: string[], pointOnly: boolean): Promise<Document[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  if (pointOnly) {
    const docs = await Promise.all(unique.map((i) => coll.findOne({ _id: idOf(i) })));
    return docs.filter((d) => d !== null);
  }
  const found = new Map((await coll.find({ _id: { $in: unique.map(idOf) } }).toArray()).map((d) => [String(d._id), d]));
  return unique.flatMap((i) => found.get(i) ?? []);
}

