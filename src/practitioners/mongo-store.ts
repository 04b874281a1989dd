/**
 * MongoDB PractitionerStore: one document per health worker, `_id` =
 * the iHRIS-derived logical id, the Practitioner kept as received beside the normalised fields the
 * searches use. Query values only ever appear as escaped, anchored regexes or equality values, so
 * nothing a caller sends reaches MongoDB as an operator.
 *
 * Each new version carries its practitioner event in the same document write (`pendingEvents`, in
 * version order; `hasPending` is set while any waits), which the store's outbox hands to the relay.
 */
import type { Collection, Db, Filter } from 'mongodb';
import type { Practitioner } from 'fhir/r4';
import { normalizePractitionerName, practitionerSearchFields } from '../fhir/practitioner-port';
import type { PractitionerQuery, PractitionerSearchFields, PractitionerStore } from '../fhir/practitioner-port';
import { MediatorError } from '../core/errors';
import type { OutboxEvent } from '../core/types';
import { buildPractitionerEvent, practitionerEventType, samePractitioner } from '../fhir/practitioner-event';
import type { PractitionerOutbox } from '../fhir/practitioner-event';
import { isDuplicateKey } from '../storage/errors';
import { escapeRegex } from '../registry/mongo/search-query';

/** Writers racing for one Practitioner's next version retry at most this often. */
const MAX_ATTEMPTS = 50;

type PractitionerDoc = PractitionerSearchFields & {
  _id: string;
  version: number;
  lastUpdated: string;
  resource: Practitioner;
  pendingEvents?: OutboxEvent[];
  hasPending?: true;
};

/** The resource is stored as received; its meta (version, lastUpdated) is composed from the document's own fields. */
function present(d: Pick<PractitionerDoc, 'resource' | 'version' | 'lastUpdated'>): Practitioner {
  return { ...d.resource, meta: { ...d.resource.meta, versionId: String(d.version), lastUpdated: d.lastUpdated } };
}

function prefixAll(field: 'names' | 'family' | 'given', values: string[] | undefined): Array<Filter<PractitionerDoc>> {
  return (values ?? []).map((v) => ({ [field]: { $regex: `^${escapeRegex(normalizePractitionerName(v))}` } }));
}

function identifierClause(c: { system?: string; value?: string }): Filter<PractitionerDoc> {
  if (c.system !== undefined && c.value !== undefined) return { idKeys: `${c.system}|${c.value}` };
  if (c.system !== undefined) return { idSystems: c.system };
  return { idValues: c.value ?? '' };
}

function filterOf(q: PractitionerQuery): Filter<PractitionerDoc> {
  const clauses: Array<Filter<PractitionerDoc>> = [
    ...prefixAll('names', q.name),
    ...prefixAll('family', q.family),
    ...prefixAll('given', q.given),
    ...(q.identifier ?? []).map(identifierClause),
    ...(q.active === undefined ? [] : [{ active: q.active }]),
  ];
  return clauses.length === 0 ? {} : { $and: clauses };
}

/** Health workers in a MongoDB collection. */
export class MongoPractitionerStore implements PractitionerStore {
  private readonly col: Collection<PractitionerDoc>;
  private readonly versions: Collection<{ _id: string }>;

  /**
   * @param db - the database
   * @param collection - collection name
   * @param instance - instance name for the events' `ce_source`
   */
  constructor(db: Db, collection = 'practitioners', private readonly instance = 'passerelle') {
    this.col = db.collection<PractitionerDoc>(collection);
    this.versions = db.collection<{ _id: string }>(`${collection}_versions`);
  }

  /** Create the indexes the searches use (one per command: see audit/mongo.ts). */
  async init(): Promise<void> {
    await this.col.createIndex({ family: 1 }, { name: 'family' });
    await this.col.createIndex({ idKeys: 1 }, { name: 'idKeys' });
    await this.col.createIndex({ hasPending: 1 }, { name: 'hasPending', sparse: true });
  }

  /** @param id - logical id */
  async get(id: string): Promise<Practitioner | null> {
    const d = await this.col.findOne({ _id: id }, { projection: { pendingEvents: 0 } });
    return d ? present(d) : null;
  }

  /** @param query - the search */
  async search(query: PractitionerQuery): Promise<{ total: number; items: Practitioner[] }> {
    const filter = filterOf(query);
    const [total, docs] = await Promise.all([
      this.col.countDocuments(filter),
      this.col.find(filter, { projection: { pendingEvents: 0 } }).sort({ _id: 1 }).skip(query.offset).limit(query.count).toArray(),
    ]);
    return { total, items: docs.map(present) };
  }

  /**
   * Insert or replace. FerretDB 1.24 applies updates as read-modify-write, so neither `$inc` nor a
   * version filter is atomic under concurrency; only a unique-key insert is. Each writer therefore
   * claims its version number by inserting `id|version` (a duplicate means another writer got it:
   * read again and retry), then writes the document only over an older version (the registry's put-if-newer).
   * @param practitioner - the Practitioner with its id
   */
  async upsert(practitioner: Practitioner & { id: string }): Promise<Practitioner> {
    const { versionId: _v, lastUpdated: _l, ...meta } = practitioner.meta ?? {};
    const resource: Practitioner = { ...practitioner, meta };
    if (Object.keys(meta).length === 0) delete resource.meta;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.col.findOne({ _id: practitioner.id }, { projection: { pendingEvents: 0 } });
      if (current && samePractitioner(current.resource, resource)) return present(current);
      const version = (current?.version ?? 0) + 1;
      if (!(await this.claim(`${practitioner.id}|${version}`))) {
        await new Promise((r) => setTimeout(r, attempt * 2));
        continue;
      }
      const doc: PractitionerDoc = { _id: practitioner.id, version, lastUpdated: new Date().toISOString(), resource, ...practitionerSearchFields(resource) };
      const event = buildPractitionerEvent(practitionerEventType(current?.resource ?? null, resource), present(doc) as Practitioner & { id: string }, this.instance);
      await this.write(doc, event);
      return present(doc);
    }
    throw new MediatorError('conflict', 'too many concurrent updates of this Practitioner; retry');
  }

  /**
   * Write a claimed version with its event in one document write: an insert for version 1, else an
   * update of the version it was computed from (the version claim makes this writer the only one).
   */
  private async write(doc: PractitionerDoc, event: OutboxEvent): Promise<void> {
    if (doc.version === 1) {
      await this.col.insertOne({ ...doc, pendingEvents: [event], hasPending: true });
      return;
    }
    const { _id, ...fields } = doc;
    const r = await this.col.updateOne({ _id, version: doc.version - 1 }, { $set: { ...fields, hasPending: true }, $push: { pendingEvents: event } });
    if (r.matchedCount !== 1) throw new MediatorError('conflict', 'the Practitioner changed while it was written; retry');
  }

  /** The store's outbox: events of every document with some pending, in version order per document. */
  readonly outbox: PractitionerOutbox = {
    pending: async (limit) => {
      const docs = await this.col.find({ hasPending: true }, { projection: { pendingEvents: 1 } }).limit(limit).toArray();
      return docs.flatMap((d) => d.pendingEvents ?? []).slice(0, limit);
    },
    markPublished: async (ids) => {
      if (ids.length === 0) return;
      await this.col.updateMany({ 'pendingEvents.id': { $in: ids } }, { $pull: { pendingEvents: { id: { $in: ids } } } });
      // Atomic per document: a version written meanwhile pushed an event and keeps the flag.
      await this.col.updateMany({ hasPending: true, pendingEvents: { $size: 0 } }, { $unset: { hasPending: '' } });
    },
    lag: async () => {
      const docs = await this.col.find({ hasPending: true }, { projection: { pendingEvents: 1 } }).toArray();
      const events = docs.flatMap((d) => d.pendingEvents ?? []);
      return { count: events.length, oldestAt: events.map((e) => e.time).sort()[0] ?? null };
    },
  };

  private async claim(key: string): Promise<boolean> {
    try {
      await this.versions.insertOne({ _id: key });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }
}
