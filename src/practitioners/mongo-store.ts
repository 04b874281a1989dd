/**
 * MongoDB PractitionerStore: one document per health worker, `_id` = the iHRIS-derived logical id,
 * the Practitioner kept as received beside the normalised fields the searches use. Query values only
 * ever appear as escaped, anchored regexes or equality values, so nothing a caller sends reaches
 * MongoDB as an operator. Built on the shared storage helpers (src/storage) only.
 */
import type { Collection, Db, Filter } from 'mongodb';
import type { Practitioner } from 'fhir/r4';
import { normalizePractitionerName, practitionerSearchFields } from './port';
import type { PractitionerQuery, PractitionerSearchFields, PractitionerStore } from './port';
import { MediatorError } from '../core/errors';
import { isDuplicateKey } from '../storage/errors';
import { escapeRegex } from '../storage/regex';
import { identifierKey } from '../core/types';

/** Writers racing for one Practitioner's next version retry at most this often. */
const MAX_ATTEMPTS = 50;

type PractitionerDoc = PractitionerSearchFields & { _id: string; version: number; lastUpdated: string; resource: Practitioner };

/** The resource is stored as received; its meta (version, lastUpdated) is composed from the document's own fields. */
function present(d: PractitionerDoc): Practitioner {
  return { ...d.resource, meta: { ...d.resource.meta, versionId: String(d.version), lastUpdated: d.lastUpdated } };
}

function prefixAll(field: 'names' | 'family' | 'given', values: string[] | undefined): Array<Filter<PractitionerDoc>> {
  return (values ?? []).map((v) => ({ [field]: { $regex: `^${escapeRegex(normalizePractitionerName(v))}` } }));
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
   */
  constructor(db: Db, collection = 'practitioners') {
    this.col = db.collection<PractitionerDoc>(collection);
  }

  /** Create the indexes the searches use (one per command: see audit/mongo.ts). */
  async init(): Promise<void> {
    await this.col.createIndex({ family: 1 }, { name: 'family' });
    await this.col.createIndex({ idKeys: 1 }, { name: 'idKeys' });
  }

  /** @param id - logical id */
  async get(id: string): Promise<Practitioner | null> {
    const d = await this.col.findOne({ _id: id });
    return d ? present(d) : null;
  }

  /** @param query - the search */
  async search(query: PractitionerQuery): Promise<{ total: number; items: Practitioner[] }> {
    const filter = filterOf(query);
    const [total, docs] = await Promise.all([
      this.col.countDocuments(filter),
      this.col.find(filter).sort({ _id: 1 }).skip(query.offset).limit(query.count).toArray(),
    ]);
    return { total, items: docs.map(present) };
  }

  /**
   * Insert or replace, as the next version. The write is one atomic conditional replace: it lands
   * only while the stored version is older than the one computed from the read, and inserts when there
   * is none. A concurrent writer that got there first makes the filter miss, so the upsert's insert
   * hits the `_id` (a duplicate key): read again and retry with the next version.
   * @param practitioner - the Practitioner with its id
   */
  async upsert(practitioner: Practitioner & { id: string }): Promise<Practitioner> {
    const { versionId: _v, lastUpdated: _l, ...meta } = practitioner.meta ?? {};
    const resource: Practitioner = { ...practitioner, meta };
    if (Object.keys(meta).length === 0) delete resource.meta;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await this.col.findOne({ _id: practitioner.id }, { projection: { version: 1 } });
      const version = (current?.version ?? 0) + 1;
      const doc: PractitionerDoc = { _id: practitioner.id, version, lastUpdated: new Date().toISOString(), resource, ...practitionerSearchFields(resource) };
      try {
        await this.col.replaceOne({ _id: practitioner.id, version: { $lt: version } }, doc, { upsert: true });
        return present(doc);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        await new Promise((r) => setTimeout(r, attempt * 2));
      }
    }
    throw new MediatorError('conflict', 'too many concurrent updates of this Practitioner; retry');
  }
}
