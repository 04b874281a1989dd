/**
 * MongoDB adapter of the registry store (with records.ts, change-log.ts, indexes.ts and
 * search-query.ts beside it): the only registry module importing the driver. Documents go through
 * JSON first, so no `undefined` is stored (the driver would store null).
 */
import type { AnyBulkWriteOperation, Collection, Db, Document } from 'mongodb';
import { MongoBulkWriteError } from 'mongodb';
import { MediatorError } from '../../core/errors';
import { DUPLICATE_KEY } from '../../storage/errors';
import type { RegistryStore, StoredModel } from '../store';
import { collectionNames, ensureIndexes } from './indexes';
import type { Claimant } from '../../core/outbox-claims';
import { mongoChangeLog } from './change-log';
import { moveLegacyOutbox } from './outbox-docs';
import { mongoRecords } from './records';
import type { MongoRecordsOptions } from './records';

export { ensureIndexes };

/**
 * Ready a registry database at start: every index, and the outbox of changes written before outbox
 * documents moved to them (a no-op once done).
 * @param db - the database
 * @param prefix - collection name prefix
 * @returns how many changes' outboxes were moved
 */
export async function prepareRegistryDb(db: Db, prefix = 'registry_'): Promise<number> {
  await ensureIndexes(db, prefix);
  return moveLegacyOutbox(db.collection(collectionNames(prefix).changes));
}

const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const noId = { projection: { _id: 0 } };

/**
 * Write each document unless a version at least as new is stored (idempotent), in one command.
 * @param coll - the collection
 * @param docs - documents with their id and version
 */
async function putAllIfNewer(coll: Collection<Document>, docs: Array<{ id: string; version: number; doc: object }>): Promise<void> {
  if (docs.length === 0) return;
  const ops: Array<AnyBulkWriteOperation<Document>> = docs.map((d) => ({
    replaceOne: { filter: { _id: d.id as never, version: { $lt: d.version } }, replacement: plain(d.doc), upsert: true },
  }));
  try {
    await coll.bulkWrite(ops, { ordered: false });
  } catch (err) {
    const errors = err instanceof MongoBulkWriteError ? [err.writeErrors].flat() : [];
    if (errors.length === 0 || errors.some((e) => e.code !== DUPLICATE_KEY)) throw err;
  }
}

function toModel(d: Document | null): StoredModel | null {
  return d ? { version: String(d.version), createdAt: String(d.createdAt), active: d.active === true, model: JSON.parse(String(d.modelJson)) as StoredModel['model'] } : null;
}

function modelStore(models: Collection<Document>): RegistryStore['models'] {
  return {
    put: async (doc) => {
      const stored = { version: doc.version, createdAt: doc.createdAt, active: doc.active, modelJson: JSON.stringify(doc.model) };
      await models.replaceOne({ _id: doc.version as never }, stored, { upsert: true });
    },
    get: async (v) => toModel(await models.findOne({ _id: v as never })),
    active: async () => toModel(await models.findOne({ active: true })),
    activate: async (version) => {
      if (!(await models.findOne({ _id: version as never }))) throw new MediatorError('not-found', 'unknown model version');
      await models.updateOne({ _id: version as never }, { $set: { active: true } });
      await models.updateMany({ _id: { $ne: version as never }, active: true }, { $set: { active: false } });
    },
    list: async () => (await models.find({}, { projection: { _id: 0, modelJson: 0 } }).sort({ createdAt: 1 }).toArray()) as never,
  };
}

function reviewStore(reviews: Collection<Document>): RegistryStore['reviews'] {
  return {
    get: async (rid) => (await reviews.findOne({ _id: rid as never }, noId)) as never,
    put: (docs) => putAllIfNewer(reviews, docs.map((d) => ({ id: d.id, version: d.version, doc: d }))),
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
    sourceSystems: async (state) => ((await reviews.distinct('sourceSystem', { state: { $eq: state } })) as unknown[]).filter((v): v is string => typeof v === 'string').sort(),
  };
}

function tokenStore(tokens: Collection<Document>): RegistryStore['tokens'] {
  return {
    insert: async (doc) => {
      await tokens.insertOne({ _id: doc.hash as never, ...plain(doc) });
    },
    get: async (hash) => (await tokens.findOne({ _id: hash as never }, noId)) as never,
    revoke: async (hash, at) => {
      const found = await tokens.findOne({ _id: hash as never });
      if (found && !found.revokedAt) await tokens.updateOne({ _id: hash as never, revokedAt: { $exists: false } }, { $set: { revokedAt: at } });
      return found !== null;
    },
  };
}

/**
 * Create the Mongo registry store (call `ensureIndexes` once at start).
 * @param db - database
 * @param prefix - collection name prefix
 * @param opts - lookup keys per query (see records.ts) and who claims outbox changes in this
 *   process (several processes relay at once)
 */
export function createMongoRegistryStore(db: Db, prefix = 'registry_', opts: MongoRecordsOptions & { claimant?: Claimant } = {}): RegistryStore {
  const n = collectionNames(prefix);
  const c = (name: string): Collection<Document> => db.collection(name);
  const { changes, outbox } = mongoChangeLog(c(n.changes), opts.claimant);
  const merges = c(n.merges);
  return {
    records: mongoRecords(c(n.records), opts),
    changes,
    outbox,
    reviews: reviewStore(c(n.reviews)),
    merges: {
      put: (docs) => putAllIfNewer(merges, docs.map((d) => ({ id: d.id, version: d.version, doc: d }))),
      get: async (mid) => (await merges.findOne({ _id: mid as never }, noId)) as never,
      activeFor: async (retiredId) => ((await merges.find({ retiredId, undone: { $exists: false } }, noId).sort({ at: -1 }).limit(1).toArray())[0] as never) ?? null,
      intoSurvivor: async (survivorId) => (await merges.find({ survivorId: { $eq: survivorId }, undone: { $exists: false } }, noId).sort({ at: -1 }).limit(1000).toArray()) as never,
    },
    tokens: tokenStore(c(n.tokens)),
    models: modelStore(c(n.models)),
  };
}
