/**
 * MongoDB PractitionerStore: one document per health worker, `_id` = the iHRIS-derived logical id,
 * the Practitioner kept as received beside the normalised fields the searches use. Query values only
 * ever appear as escaped, anchored regexes or equality values, so nothing a caller sends reaches
 * MongoDB as an operator. Built on the shared storage helpers (src/storage) only.
 *
 * Each new version carries its practitioner event in the same document write (`pendingEvents`, in
 * version order; `hasPending` is set while any waits), which the store's outbox hands to the relay.
 */
import type { Collection, Db, Document, Filter } from 'mongodb';
import { newClaimant } from '../core/outbox-claims';
import type { Claimant } from '../core/outbox-claims';
import { CLAIM_FIELDS, claimBatch, releaseClaims } from '../storage/outbox-claims';
import type { Practitioner } from 'fhir/r4';
import { normalizePractitionerName, practitionerSearchFields } from './port';
import type { PractitionerChange, PractitionerQuery, PractitionerSearchFields, PractitionerStore } from './port';
import { MediatorError } from '../core/errors';
import type { OutboxEvent } from '../core/types';
import { buildPractitionerEvent, practitionerEventType, samePractitioner } from './events';
import type { PractitionerOutbox } from './events';
import { isDuplicateKey } from '../storage/errors';
import { elementStartsWith } from '../storage/regex';
import { identifierKey } from '../core/types';

/** Writers racing for one Practitioner's next version retry at most this often. */
const MAX_ATTEMPTS = 50;

type PractitionerDoc = PractitionerSearchFields & {
  _id: string;
  version: number;
  lastUpdated: string;
  resource: Practitioner;
  /** Events of versions not yet published, oldest first (the store's outbox). */
  pendingEvents?: OutboxEvent[];
  hasPending?: true;
};

/** The resource is stored as received; its meta (version, lastUpdated) is composed from the document's own fields. */
function present(d: PractitionerDoc): Practitioner {
  return { ...d.resource, meta: { ...d.resource.meta, versionId: String(d.version), lastUpdated: d.lastUpdated } };
}

function prefixAll(field: 'names' | 'family' | 'given', values: string[] | undefined): Array<Filter<PractitionerDoc>> {
  return (values ?? []).map((v) => ({ [field]: elementStartsWith(normalizePractitionerName(v)) }));
}

function identifierClause(c: { system?: string; value?: string }): Filter<PractitionerDoc> {
  if (c.system !== undefined && c.value !== undefined) return { idKeys: identifierKey({ system: c.system, value: c.value }) };
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

  /**
   * @param db - the database
   * @param collection - collection name
   * @param instance - instance name for the events' `ce_source`
   * @param claimant - who claims documents to publish in this process (several processes relay at once)
   */
  constructor(db: Db, collection = 'practitioners', private readonly instance = 'passerelle', private readonly claimant: Claimant = newClaimant(instance, 30000)) {
    this.col = db.collection<PractitionerDoc>(collection);
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
   * Insert or replace, as the next version, with its event. The write is one atomic conditional
   * write: an insert for a first version, else an update of the version the new one was computed
   * from, which also appends the event. A concurrent writer that got there first makes the insert hit
   * the `_id` (a duplicate key) or the update miss: read again and retry with the next version. An
   * unchanged re-send writes nothing.
   * @param practitioner - the Practitioner with its id
   * @param change - the OpenHIM transaction it came through, if any
   */
  async upsert(practitioner: Practitioner & { id: string }, change: PractitionerChange = {}): Promise<Practitioner> {
    const { versionId: _v, lastUpdated: _l, ...meta } = practitioner.meta ?? {};
    const resource: Practitioner = { ...practitioner, meta };
    if (Object.keys(meta).length === 0) delete resource.meta;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.col.findOne({ _id: practitioner.id }, { projection: { pendingEvents: 0 } });
      if (current && samePractitioner(current.resource, resource)) return present(current);
      const version = (current?.version ?? 0) + 1;
      const doc: PractitionerDoc = { _id: practitioner.id, version, lastUpdated: new Date().toISOString(), resource, ...practitionerSearchFields(resource) };
      const event = buildPractitionerEvent(practitionerEventType(current?.resource ?? null, resource), present(doc) as Practitioner & { id: string }, this.instance, change.transactionId);
      if (await this.write(doc, event)) return present(doc);
      await new Promise((r) => setTimeout(r, attempt * 2));
    }
    throw new MediatorError('conflict', 'too many concurrent updates of this Practitioner; retry');
  }

  /** Write a version with its event; false when another writer got there first. */
  private async write(doc: PractitionerDoc, event: OutboxEvent): Promise<boolean> {
    if (doc.version === 1) {
      try {
        await this.col.insertOne({ ...doc, pendingEvents: [event], hasPending: true });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    }
    const { _id, ...fields } = doc;
    const r = await this.col.updateOne({ _id, version: doc.version - 1 }, { $set: { ...fields, hasPending: true }, $push: { pendingEvents: event } });
    return r.matchedCount === 1;
  }

  /** The store's outbox: events of every document with some pending, in version order per document. */
  readonly outbox: PractitionerOutbox = {
    // A document is one health worker, its events in version order: claiming the document keeps
    // their order whichever process publishes them (no order to keep across documents).
    pending: async (limit) => {
      const docs = await claimBatch(this.col as unknown as Collection<Document>, this.claimant, { waiting: { hasPending: true }, sort: { _id: 1 }, sizeOf: (d) => (d.pendingEvents as unknown[] | undefined)?.length ?? 0, projection: { resource: 0 } }, limit);
      return docs.flatMap((d) => (d.pendingEvents as OutboxEvent[] | undefined) ?? []).slice(0, limit);
    },
    release: () => releaseClaims(this.col as unknown as Collection<Document>, this.claimant.holder, { hasPending: true }),
    markPublished: async (ids) => {
      if (ids.length === 0) return;
      await this.col.updateMany({ 'pendingEvents.id': { $in: ids } }, { $pull: { pendingEvents: { id: { $in: ids } } }, $unset: CLAIM_FIELDS });
      // Atomic per document: a version written meanwhile pushed an event and keeps the flag.
      await this.col.updateMany({ hasPending: true, pendingEvents: { $size: 0 } }, { $unset: { hasPending: '' } });
    },
    lag: async () => {
      const docs = await this.col.find({ hasPending: true }, { projection: { pendingEvents: 1 } }).toArray();
      const events = docs.flatMap((d) => d.pendingEvents ?? []);
      return { count: events.length, oldestAt: events.map((e) => e.time).sort()[0] ?? null };
    },
  };
}
