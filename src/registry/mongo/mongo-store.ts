/**
 * MongoDB / FerretDB adapter of the registry store: the only module importing the driver (with
 * journal.ts, indexes.ts, search-query.ts, backend.ts beside it). Record documents are written "if
 * newer" (backend.ts), so re-applying a journal change never moves a record back in time.
 * Documents go through JSON first: no `undefined` (the driver would store null), and the raw
 * received payload is kept as a JSON string (it may contain nested arrays, which FerretDB rejects).
 */
import type { Collection, Db, Document } from 'mongodb';
import { MediatorError } from '../../core/errors';
import type { HistoryEntry, PatientQuery, PatientSearchResult } from '../ports';
import { searchComparator } from '../search-fields';
import type { RegistryStore, StoredGolden, StoredModel, StoredSource } from '../store';
import { collectionNames, ensureIndexes } from './indexes';
import { mongoClaims, mongoJournal, mongoOutbox } from './journal';
import { isDuplicateKey, upsertOnce } from '../../storage/errors';
import { deleteIfStill, findByIds, pointFiltersOnly, putIfNewer } from './backend';
import { mongoBlocking, xrefId } from './keyed';
import { identifierFilter, toMongoFilter, toMongoSort } from './search-query';

export { ensureIndexes };

const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function strip<T>(d: (T & { _id?: unknown }) | null): T | null {
  if (!d) {
    return null;
  }
  const { _id: _ignored, ...rest } = d;
  return rest as T;
}

function sourceToDoc(s: StoredSource): Document {
  const { received, ...rest } = plain(s);
  return { _id: s.key, ...rest, ...(received !== undefined ? { receivedJson: JSON.stringify(received) } : {}) };
}

function docToSource(d: Document | null): StoredSource | null {
  if (!d) {
    return null;
  }
  const { _id: _ignored, receivedJson, ...rest } = d;
  return { ...(rest as StoredSource), ...(typeof receivedJson === 'string' ? { received: JSON.parse(receivedJson) as unknown } : {}) };
}

/** One kind's page of a Patient search, with the total count of matches. */
async function searchKind(coll: Collection<Document>, q: PatientQuery, limit: number): Promise<{ total: number; docs: Document[] }> {
  const filter = toMongoFilter(q);
  const [total, docs] = await Promise.all([coll.countDocuments(filter), coll.find(filter).sort(toMongoSort(q)).limit(limit).toArray()]);
  return { total, docs };
}

/**
 * Create the Mongo registry store (call `ensureIndexes` once at start).
 * @param db - database
 * @param prefix - collection name prefix
 */
export function createMongoRegistryStore(db: Db, prefix = 'registry_'): RegistryStore {
  const n = collectionNames(prefix);
  const c = (name: string): Collection<Document> => db.collection(name);
  const sources = c(n.sources);
  const goldens = c(n.goldens);
  const xref = c(n.xref);
  const reviews = c(n.reviews);
  const history = c(n.history);
  const models = c(n.models);
  const noId = { projection: { _id: 0 } };
  const id = (v: string): Document['_id'] => v;
  const put = async (coll: Collection<Document>, key: string, doc: Document, version: number): Promise<void> => putIfNewer(coll, key, doc, version, await pointFiltersOnly(db));

  return {
    sources: {
      get: async (key) => docToSource(await sources.findOne({ _id: id(key) })),
      getById: async (sid) => docToSource(await sources.findOne({ id: sid })),
      getMany: async (keys) => (await findByIds(sources, keys, await pointFiltersOnly(db))).map((d) => docToSource(d) as StoredSource),
      byIdentifier: async (ref, limit) =>
        (await sources.find(identifierFilter(ref)).sort({ _id: 1 }).limit(limit).toArray()).map((d) => docToSource(d) as StoredSource),
      page: async (afterKey, limit) =>
        (await sources.find(afterKey === null ? {} : { _id: { $gt: id(afterKey) } }).sort({ _id: 1 }).limit(limit).toArray()).map((d) => docToSource(d) as StoredSource),
      count: () => sources.countDocuments({}),
      put: (doc) => put(sources, doc.key, sourceToDoc(doc), doc.version),
    },
    goldens: {
      get: async (mpiId) => strip<StoredGolden>((await goldens.findOne({ _id: id(mpiId) })) as StoredGolden | null),
      getMany: async (ids) => (await findByIds(goldens, ids, await pointFiltersOnly(db))).map((d) => strip<StoredGolden>(d as StoredGolden) as StoredGolden),
      put: (doc) => put(goldens, doc.mpiId, { _id: id(doc.mpiId), ...plain(doc) }, doc.version),
    },
    xref: {
      get: async (ref) => (await xref.findOne({ _id: id(xrefId(ref.system, ref.value)) }, noId)) as never,
      byMpiId: async (mpiId) => (await xref.find({ mpiId }, noId).toArray()) as never,
      put: async (e) => {
        // Most identifiers are new: try the cheap insert, move an existing one with an update.
        try {
          await xref.insertOne({ _id: id(xrefId(e.system, e.value)), system: e.system, value: e.value, mpiId: e.mpiId });
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
          await upsertOnce(() => xref.updateOne({ _id: id(xrefId(e.system, e.value)) }, { $set: { system: e.system, value: e.value, mpiId: e.mpiId } }, { upsert: true }));
        }
      },
      insert: async (e) => {
        try {
          await xref.insertOne({ _id: id(xrefId(e.system, e.value)), system: e.system, value: e.value, mpiId: e.mpiId });
        } catch (err) {
          throw isDuplicateKey(err) ? new MediatorError('conflict', 'identifier already cross-referenced', { system: e.system }) : err;
        }
      },
      remove: async (e) => deleteIfStill(xref, xrefId(e.system, e.value), 'mpiId', e.mpiId, await pointFiltersOnly(db)),
    },
    blocking: mongoBlocking(db.collection(n.blocks)),
    reviews: {
      get: async (rid) => (await reviews.findOne({ _id: id(rid) }, noId)) as never,
      put: (doc) => put(reviews, doc.id, { _id: id(doc.id), ...plain(doc) }, doc.version),
      list: async (f) => {
        const filter: Document = {};
        if (f.state) filter.state = { $eq: f.state };
        if (f.sourceSystem) filter.sourceSystem = { $eq: f.sourceSystem };
        if (f.olderThan) filter.createdAt = { $lt: f.olderThan };
        // The best candidate score is in [min, max): some candidate reaches min, none reaches max.
        const band: Document[] = [];
        if (f.minScore !== undefined) band.push({ 'candidates.score': { $gte: f.minScore } });
        if (f.maxScore !== undefined) band.push({ 'candidates.score': { $not: { $gte: f.maxScore } } });
        if (band.length > 0) filter.$and = band;
        const [total, items] = await Promise.all([reviews.countDocuments(filter), reviews.find(filter, noId).sort({ createdAt: 1, _id: 1 }).skip(f.offset).limit(f.count).toArray()]);
        return { total, items: items as never };
      },
      bySource: async (sourceKey) => (await reviews.find({ sourceKey }, noId).toArray()) as never,
      sourceSystems: async (state) => ((await reviews.distinct('sourceSystem', { state: { $eq: state } })) as string[]).filter((v) => typeof v === 'string').sort(),
    },
    constraints: {
      put: async (doc) => {
        await upsertOnce(() => c(n.constraints).replaceOne({ sourceKey: doc.sourceKey, mpiId: doc.mpiId }, plain(doc), { upsert: true }));
      },
      forSource: async (sourceKey) => (await c(n.constraints).find({ sourceKey }, noId).toArray()) as never,
    },
    history: {
      append: async (e) => {
        try {
          await history.insertOne(plain(e));
        } catch (err) {
          if (!isDuplicateKey(err)) throw err;
        }
      },
      list: async (kind, hid) => (await history.find({ kind, id: hid }, noId).sort({ version: 1 }).toArray()) as unknown as HistoryEntry[],
      all: async (o) => {
        const filter: Document = o.since ? { at: { $gte: o.since } } : {};
        const [total, items] = await Promise.all([history.countDocuments(filter), history.find(filter, noId).sort({ at: -1, id: -1 }).skip(o.offset).limit(o.count).toArray()]);
        return { total, items: items as unknown as HistoryEntry[] };
      },
    },
    tokens: {
      insert: async (doc) => {
        await c(n.tokens).insertOne({ _id: id(doc.hash), ...plain(doc) });
      },
      get: async (hash) => (await c(n.tokens).findOne({ _id: id(hash) }, noId)) as never,
      revoke: async (hash, at) => {
        const found = await c(n.tokens).findOne({ _id: id(hash) });
        if (found && !found.revokedAt) {
          await c(n.tokens).updateOne({ _id: id(hash), revokedAt: { $exists: false } }, { $set: { revokedAt: at } });
        }
        return found !== null;
      },
    },
    merges: {
      put: async (doc) => {
        await upsertOnce(() => c(n.merges).replaceOne({ _id: id(doc.id) }, plain(doc), { upsert: true }));
      },
      get: async (mid) => (await c(n.merges).findOne({ _id: id(mid) }, noId)) as never,
      activeFor: async (retiredId) => (await c(n.merges).find({ retiredId, undone: { $exists: false } }, noId).sort({ at: -1 }).limit(1).toArray())[0] as never ?? null,
      intoSurvivor: async (survivorId) => (await c(n.merges).find({ survivorId: { $eq: survivorId }, undone: { $exists: false } }, noId).sort({ at: -1 }).limit(1000).toArray()) as never,
    },
    models: {
      put: async (doc) => {
        const stored = { version: doc.version, createdAt: doc.createdAt, active: doc.active, modelJson: JSON.stringify(doc.model) };
        await upsertOnce(() => models.replaceOne({ _id: id(doc.version) }, stored, { upsert: true }));
      },
      get: async (v) => toModel(await models.findOne({ _id: id(v) })),
      active: async () => toModel(await models.findOne({ active: true })),
      activate: async (version) => {
        if (!(await models.findOne({ _id: id(version) }))) throw new MediatorError('not-found', 'unknown model version');
        await models.updateOne({ _id: id(version) }, { $set: { active: true } });
        await models.updateMany({ _id: { $ne: id(version) }, active: true }, { $set: { active: false } });
      },
      list: async () => (await models.find({}, { projection: { _id: 0, modelJson: 0 } }).sort({ createdAt: 1 }).toArray()) as never,
    },
    journal: mongoJournal(db, n),
    outbox: mongoOutbox(db, n),
    claims: mongoClaims(db, n),
    patients: {
      search: async (q): Promise<PatientSearchResult> => {
        const limit = q.offset + q.count;
        const g = q.kind === 'source' ? { total: 0, docs: [] } : await searchKind(goldens, q, limit);
        const s = q.kind === 'golden' ? { total: 0, docs: [] } : await searchKind(sources, q, limit);
        const cmp = searchComparator(q);
        const hits = [...g.docs.map((d) => ({ kind: 'golden' as const, d })), ...s.docs.map((d) => ({ kind: 'source' as const, d }))];
        hits.sort((a, b) => cmp(a.d.search as StoredSource['search'], b.d.search as StoredSource['search']));
        return { total: g.total + s.total, items: hits.slice(q.offset, limit).map((h) => ({ kind: h.kind, patient: h.d.patient as StoredSource['patient'] })) };
      },
    },
  };
}

function toModel(d: Document | null): StoredModel | null {
  return d ? { version: String(d.version), createdAt: String(d.createdAt), active: d.active === true, model: JSON.parse(String(d.modelJson)) as StoredModel['model'] } : null;
}
