/**
 * The records collection on MongoDB: source records (`_id` = source key, `k: 's'`), golden records
 * (`_id` = MPI ID, `k: 'g'`) and cross-reference entries (`_id` = `x:<system|value>`, `k: 'x'`). Sources
 * and cross-reference entries are filed under `keys` (one multikey index), so a probe's candidates and
 * identifier holders are ONE `$in` query. A source is also filed under each of its blocking keys
 * narrowed to its refinement code (`refinedEntry`): a large block read through the probe's code is
 * then one more entry of the same `$in`, where a filter on `rf` beside it would take a query per
 * code (hundreds a page: the local stand-in plans an `$or` of them slower still). Those entries
 * exist only in the documents; reads strip them. A change's writes are ONE unordered bulk write:
 * each record replaced only by a newer version.
 */
import type { AnyBulkWriteOperation, Collection, Document } from 'mongodb';
import { MongoBulkWriteError } from 'mongodb';
import { DUPLICATE_KEY } from '../../storage/errors';
import type { PatientSearchResult } from '../api';
import type { LookupQuery, LookupResult, RecordStore, RecordWrites, SourceView, StoredGolden, StoredSource, XrefEntry } from '../store';
import { lookupKey, xrefDocId } from '../keys';
import { sourceFingerprint, xrefFingerprint } from '../lookup-query';
import { identifierFilter, toMongoFilter, toMongoSort } from './search-query';

type Kind = 's' | 'g' | 'x';

const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Stored lookup entries that are refined blocks (`refinedEntry`); the registry's own keys start with `b:`, `i:` or `x:`. */
const REFINED_PREFIX = 'r:';

/**
 * The entry of blocking lookup key `key` narrowed to refinement code `rf`. The code's length comes
 * first, so no two (key, code) pairs share an entry whatever characters an identifier holds.
 * @param key - a blocking lookup key (`b:…`)
 * @param rf - a refinement code (not empty)
 */
const refinedEntry = (key: string, rf: string): string => `${REFINED_PREFIX}${rf.length}:${rf}${key}`;

/** What a source is filed under: its lookup keys, and each blocking key narrowed to its code. */
function storedKeys(s: StoredSource): string[] {
  if (s.rf === '') return s.keys;
  const blocking = lookupKey.blocking('');
  return [...s.keys, ...s.keys.filter((k) => k.startsWith(blocking)).map((k) => refinedEntry(k, s.rf))];
}

function sourceToDoc(s: StoredSource): Document {
  const { received, ...rest } = s;
  // The payload as received is opaque here and may hold shapes BSON keys cannot (dots, `$`): kept as JSON.
  return { _id: s.key, k: 's', ...plain(rest), keys: storedKeys(s), ...(received !== undefined ? { receivedJson: JSON.stringify(received) } : {}) };
}

function docToSource(d: Document | null): StoredSource | null {
  if (!d) return null;
  const { _id: _i, k: _k, receivedJson, ...rest } = d;
  if (Array.isArray(rest.keys)) rest.keys = (rest.keys as string[]).filter((k) => !k.startsWith(REFINED_PREFIX));
  return { ...(rest as StoredSource), ...(typeof receivedJson === 'string' ? { received: JSON.parse(receivedJson) as unknown } : {}) };
}

function docToGolden(d: Document | null): StoredGolden | null {
  if (!d) return null;
  const { _id: _i, k: _k, ...rest } = d;
  return rest as StoredGolden;
}

function xrefOf(d: Document): XrefEntry {
  return { key: String(d.key), mpiId: String(d.mpiId) };
}

/**
 * Documents a query returns in its first reply (the server still caps a reply at 16 MiB): a page's
 * lookup returns thousands, which the driver's default (101, then getMore) would fetch in two
 * commands or more.
 */
const WHOLE_ANSWER = { batchSize: 100_000 };
/** What a lookup reads of a source: not its Patient, payload or search fields. */
const VIEW = { projection: { patient: 0, receivedJson: 0, search: 0 }, ...WHOLE_ANSWER };
/** What a lookup check reads: the fields of the fingerprints (half the stand-in's time of VIEW). */
const FINGERPRINT_VIEW = { projection: { k: 1, key: 1, version: 1, mpiId: 1 }, ...WHOLE_ANSWER };

function putIfNewer(id: string, version: number, doc: Document): AnyBulkWriteOperation<Document> {
  // An older stored version is replaced; a missing one inserted; a newer one makes the upsert's
  // insert fail on `_id` (duplicate key), which means "already applied" (see write()).
  return { replaceOne: { filter: { _id: id as never, version: { $lt: version } }, replacement: doc, upsert: true } };
}

function writeOps(w: RecordWrites): Array<AnyBulkWriteOperation<Document>> {
  return [
    ...w.sources.map((s) => putIfNewer(s.key, s.version, sourceToDoc(s))),
    ...w.goldens.map((g) => putIfNewer(g.mpiId, g.version, { _id: g.mpiId, k: 'g', ...plain(g) })),
    ...w.xrefDel.map((e): AnyBulkWriteOperation<Document> => ({ deleteOne: { filter: { _id: xrefDocId(e.key) as never, mpiId: e.mpiId } } })),
    ...w.xrefPut.map((e): AnyBulkWriteOperation<Document> => ({ replaceOne: { filter: { _id: xrefDocId(e.key) as never }, replacement: { k: 'x', key: e.key, mpiId: e.mpiId, keys: [lookupKey.xref(e.key)] }, upsert: true } })),
  ];
}

/** Queries of a lookup run at once when its keys are split (the driver's pool holds more). */
const LOOKUP_PARALLEL = 4;

/** The entries a lookup asks for: its keys, and each refined branch's keys narrowed to its code. */
function lookupEntries(q: LookupQuery): string[] {
  const entries = [...q.keys];
  for (const b of q.refined ?? []) for (const k of b.keys) entries.push(refinedEntry(k, b.rf));
  return entries;
}

/**
 * The documents filed under a lookup's entries: one `$in` query, or, with `keysPerQuery`, queries of
 * at most that many entries, a few at a time, each document once.
 */
async function lookupDocs(coll: Collection<Document>, q: LookupQuery, keysPerQuery: number, view: Document = VIEW): Promise<Document[]> {
  const entries = lookupEntries(q);
  if (entries.length === 0) return [];
  const size = keysPerQuery > 0 ? keysPerQuery : entries.length;
  if (entries.length <= size) return coll.find({ keys: { $in: entries } }, view).toArray();
  const filters: Document[] = [];
  for (let i = 0; i < entries.length; i += size) filters.push({ keys: { $in: entries.slice(i, i + size) } });
  const byId = new Map<unknown, Document>();
  for (let i = 0; i < filters.length; i += LOOKUP_PARALLEL) {
    const found = await Promise.all(filters.slice(i, i + LOOKUP_PARALLEL).map((f) => coll.find(f, view).toArray()));
    for (const docs of found) for (const d of docs) byId.set(d._id, d);
  }
  return [...byId.values()];
}

/** How the records store queries. */
export interface MongoRecordsOptions {
  /** Lookup keys per candidate query (0: every key in one query). */
  keysPerQuery?: number;
}

/**
 * The records store over one collection.
 * @param coll - the records collection
 * @param opts - query options
 */
export function mongoRecords(coll: Collection<Document>, opts: MongoRecordsOptions = {}): RecordStore {
  const byKind = async (kind: Kind, ids: string[]): Promise<Document[]> => (ids.length === 0 ? [] : coll.find({ _id: { $in: ids as never[] }, k: kind }, WHOLE_ANSWER).toArray());
  const search = async (q: Parameters<RecordStore['search']>[0]): Promise<PatientSearchResult> => {
    const kinds = q.kind === 'golden' ? ['g'] : q.kind === 'source' ? ['s'] : ['g', 's'];
    // The kind goes inside the `$and`, not beside it: the local stand-in plans `{ $and: [...], k }` about
    // ten times slower than the same conditions in one `$and` (150 ms against 15 ms at 2,000 records).
    const conditions = toMongoFilter(q).$and ?? [];
    const filter = { $and: [...conditions, { k: { $in: kinds } }] };
    const [total, docs] = await Promise.all([coll.countDocuments(filter), coll.find(filter).sort(toMongoSort(q)).skip(q.offset).limit(q.count).toArray()]);
    return { total, items: docs.map((d) => ({ kind: d.k === 'g' ? 'golden' as const : 'source' as const, patient: d.patient as StoredSource['patient'] })) };
  };
  return {
    source: async (key) => docToSource(await coll.findOne({ _id: key as never, k: 's' })),
    sourceById: async (id) => docToSource(await coll.findOne({ id, k: 's' })),
    sources: async (keys) => (await byKind('s', keys)).map((d) => docToSource(d) as StoredSource),
    golden: async (mpiId) => docToGolden(await coll.findOne({ _id: mpiId as never, k: 'g' })),
    goldens: async (ids) => (await byKind('g', ids)).map((d) => docToGolden(d) as StoredGolden),
    xref: async (keys) => (await byKind('x', keys.map(xrefDocId))).map(xrefOf),
    lookup: async (q): Promise<LookupResult> => {
      const docs = await lookupDocs(coll, q, opts.keysPerQuery ?? 0);
      const sources: SourceView[] = [];
      const xref: XrefEntry[] = [];
      for (const d of docs) {
        if (d.k === 'x') xref.push(xrefOf(d));
        else if (d.k === 's') sources.push(docToSource(d) as SourceView);
      }
      return { sources, xref };
    },
    lookupFingerprints: async (q) =>
      (await lookupDocs(coll, q, opts.keysPerQuery ?? 0, FINGERPRINT_VIEW)).flatMap((d) => {
        if (d.k === 'x') return [xrefFingerprint(xrefOf(d))];
        return d.k === 's' ? [sourceFingerprint({ key: String(d.key), version: Number(d.version) })] : [];
      }),
    byIdentifier: async (ref, limit) =>
      (await coll.find({ ...identifierFilter(ref), k: 's' }).sort({ _id: 1 }).limit(limit).toArray()).map((d) => docToSource(d) as StoredSource),
    page: async (afterKey, limit) =>
      (await coll.find(afterKey === null ? { k: 's' } : { k: 's', _id: { $gt: afterKey as never } }).sort({ _id: 1 }).limit(limit).toArray()).map((d) => docToSource(d) as StoredSource),
    countSources: () => coll.countDocuments({ k: 's' }),
    write: async (w) => {
      const ops = writeOps(w);
      if (ops.length === 0) return;
      try {
        await coll.bulkWrite(ops, { ordered: false });
      } catch (err) {
        // Upserts that met a newer version (duplicate `_id`): already applied. Anything else is real.
        if (!(err instanceof MongoBulkWriteError) || !err.writeErrors || (Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors]).some((e) => e.code !== DUPLICATE_KEY)) throw err;
      }
    },
    search,
  };
}
