/**
 * MongoDB audit store (MongoDB 7 and FerretDB 1.24): one document per record, `_id` = record id so a
 * retried batch cannot duplicate (duplicate-key errors of an unordered insert are ignored).
 */
import type { Collection, Db, Filter } from 'mongodb';
import { MongoBulkWriteError } from 'mongodb';
import { DUPLICATE_KEY } from '../storage/errors';
import type { AuditQuery, AuditRecord, AuditStore } from './ports';

type AuditDoc = Omit<AuditRecord, 'id'> & { _id: string };

function filterOf(q: AuditQuery): Filter<AuditDoc> {
  const f: Filter<AuditDoc> = {};
  if (q.from || q.to) f.recorded = { ...(q.from ? { $gte: q.from } : {}), ...(q.to ? { $lt: q.to } : {}) };
  if (q.agent) f.$or = [{ 'agent.clientId': q.agent }, { 'agent.userId': q.agent }];
  if (q.entity) {
    const entity: Filter<AuditDoc> = { $or: [{ mpiIds: q.entity }, { sourceIds: q.entity }] };
    return f.$or ? { $and: [f, entity] } : { ...f, ...entity };
  }
  return f;
}

/** Audit records in a MongoDB collection. */
export class MongoAuditStore implements AuditStore {
  private readonly col: Collection<AuditDoc>;

  /**
   * @param db - the database
   * @param collection - collection name
   */
  constructor(db: Db, collection = 'audit') {
    this.col = db.collection<AuditDoc>(collection);
  }

  /** Create the indexes the searches use. */
  async init(): Promise<void> {
    // One index per command: FerretDB 1.24 drops the connection on a multi-index createIndexes
    // when the indexes already exist (every restart).
    await this.col.createIndex({ recorded: -1 }, { name: 'recorded' });
    await this.col.createIndex({ 'agent.clientId': 1, recorded: -1 }, { name: 'agent' });
    await this.col.createIndex({ mpiIds: 1 }, { name: 'mpiIds' });
    await this.col.createIndex({ sourceIds: 1 }, { name: 'sourceIds' });
  }

  /** @param records - records to append */
  async append(records: AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const docs = records.map(({ id, ...rest }) => ({ _id: id, ...rest }));
    try {
      await this.col.insertMany(docs, { ordered: false });
    } catch (err) {
      const writeErrors = err instanceof MongoBulkWriteError ? (Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors]) : null;
      if (!writeErrors || writeErrors.some((e) => e.code !== DUPLICATE_KEY)) throw err;
    }
  }

  /** @param query - filters and paging */
  async search(query: AuditQuery): Promise<{ total: number; items: AuditRecord[] }> {
    const filter = filterOf(query);
    const [total, docs] = await Promise.all([
      this.col.countDocuments(filter),
      this.col.find(filter).sort({ recorded: -1, _id: 1 }).skip(query.offset).limit(query.count).toArray(),
    ]);
    return { total, items: docs.map(({ _id, ...rest }): AuditRecord => ({ id: _id, ...rest })) };
  }
}
