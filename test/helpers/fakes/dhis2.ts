/**
 * A fake DHIS2 tracker on loopback that behaves as source-systems.md §1 says: the tracked-entities
 * export in the response shape of its version (2.40 `instances` with flat paging, 2.41 `pager` plus
 * the deprecated flat copies, 2.42 `pager` only) and the legacy `trackedEntityInstances` API (up to
 * 2.41); a scope is required; `updatedAfter` is inclusive; `order=updatedAt:asc`; deleted entities
 * only with `includeDeleted=true`; program attributes only when a program is given; offset-less
 * server-local timestamps; Basic and ApiToken auth; the tracker importer for write-back.
 */
import { dhis2TimeKey as timeKey } from '../../../src/channels/dhis2/envelope';
import { HttpFake } from './http-fake';
import type { FakeAuth, FakeReply, FakeRequest } from './http-fake';
import type { Person } from './people';
import { uidOf } from './people';

/** DHIS2 versions whose shapes the fake speaks. */
export type Dhis2Version = '2.40' | '2.41' | '2.42';

/** A tracked entity as the fake stores it. */
export interface FakeTrackedEntity {
  trackedEntity: string;
  trackedEntityType: string;
  orgUnit: string;
  createdAt: string;
  updatedAt: string;
  deleted: boolean;
  inactive: boolean;
  attributes: Array<{ attribute: string; value: string; valueType?: string; displayName?: string }>;
  enrollments: Array<{ program: string; orgUnit: string; attributes: Array<{ attribute: string; value: string }> }>;
}

/** Sierra Leone demo database UIDs (source-systems.md §1.8). */
export const SL = {
  person: 'nEenWmSyUEp', firstName: 'w75KJ2mc4zz', lastName: 'zDhUuAYrxNC', gender: 'cejWyOfXge6', birthDate: 'iESIqZ0R0R0',
  nationalId: 'AuPLng5hLbE', phone: 'P2cwLGskgxn', address: 'VqEFza8wbwA', city: 'FO4sWYJ64LQ', childProgramme: 'IpHINAT79UW',
  tbProgramme: 'ur1Edk5Oe2n', sierraLeone: 'ImspTQPwCqd', ngelehun: 'DiszpKrYNg8',
  /** A tracked-entity attribute for the MPI ID (the demo database has none: deployments add one). */
  mpiId: 'MpiIdAttr01',
} as const;

const MAX_PAGE_SIZE = 1000;

/**
 * A tracked entity of a generated person, in the Sierra Leone Person type.
 * @param p - the person
 * @param opts - uid, org unit, programs it is enrolled in
 */
export function trackedEntityOf(p: Person, opts: { uid?: string; orgUnit?: string; programs?: string[] } = {}): FakeTrackedEntity {
  const attrs: FakeTrackedEntity['attributes'] = [
    { attribute: SL.firstName, value: p.given, valueType: 'TEXT', displayName: 'First name' },
    { attribute: SL.lastName, value: p.family, valueType: 'TEXT', displayName: 'Last name' },
    { attribute: SL.gender, value: p.sex === 'female' ? 'Female' : 'Male', valueType: 'TEXT', displayName: 'Gender' },
    { attribute: SL.birthDate, value: p.birthDate, valueType: 'DATE', displayName: 'Date of birth' },
    { attribute: SL.nationalId, value: p.nationalId, valueType: 'TEXT', displayName: 'National identifier' },
    { attribute: SL.city, value: p.city, valueType: 'TEXT', displayName: 'City' },
    ...(p.phone ? [{ attribute: SL.phone, value: p.phone, valueType: 'PHONE_NUMBER', displayName: 'Phone number' }] : []),
  ];
  const orgUnit = opts.orgUnit ?? SL.ngelehun;
  return {
    trackedEntity: opts.uid ?? uidOf(p.index, 'T'), trackedEntityType: SL.person, orgUnit, createdAt: '', updatedAt: '', deleted: false, inactive: false,
    attributes: attrs, enrollments: (opts.programs ?? [SL.childProgramme]).map((program) => ({ program, orgUnit, attributes: [] })),
  };
}

/** The fake server. */
export class FakeDhis2 {
  readonly http: HttpFake;
  readonly entities = new Map<string, FakeTrackedEntity>();
  /** Write-back imports received. */
  readonly imports: unknown[] = [];
  private beforeExport?: (served: number, query: URLSearchParams) => void | Promise<void>;
  private exports = 0;
  private clock = Date.UTC(2026, 0, 5, 8, 0, 0);

  /**
   * @param version - the response shapes to speak
   * @param auth - accepted credentials (default admin:district and one ApiToken)
   */
  constructor(public version: Dhis2Version = '2.42', auth: FakeAuth = { basic: { username: 'admin', password: 'district' }, apiToken: 'd2pat_fakeToken000000000000000000000' }) {
    this.http = new HttpFake(auth)
      .route('GET', /^\/api\/system\/info$/, () => ({ body: { version: `${this.version}.1`, serverTimeZoneId: 'Africa/Freetown' } }))
      .route('GET', /^\/api\/tracker\/trackedEntities$/, async (r) => {
        await this.beforeExport?.(++this.exports, r.query);
        return this.exportPage(r);
      })
      .route('GET', /^\/api\/trackedEntityInstances$/, (r) => this.legacyPage(r))
      .route('POST', /^\/api\/tracker$/, (r) => this.importEntities(r))
      .route('PUT', /^\/api\/trackedEntityInstances\/([A-Za-z0-9]{11})$/, (r, [uid]) => this.legacyUpdate(r, uid ?? ''));
  }

  /**
   * Call `hook` before each export page is computed, with the page's number counted from now
   * (1, 2, …): tests change data while a sync runs. `undefined` removes the hook.
   * @param hook - the hook
   */
  onExport(hook: ((served: number, query: URLSearchParams) => void | Promise<void>) | undefined): void {
    this.beforeExport = hook;
    this.exports = 0;
  }

  get url(): string {
    return this.http.url;
  }

  async start(port = 0): Promise<string> {
    return this.http.start(port);
  }

  close(): Promise<void> {
    return this.http.close();
  }

  /** The next server-local timestamp, offset-less like DHIS2's JSON (1 ms after the previous one). */
  tick(): string {
    this.clock += 1;
    return new Date(this.clock).toISOString().slice(0, 23);
  }

  /**
   * Store (or replace) tracked entities, stamping their times.
   * @param entities - entities; an empty `updatedAt` gets the next tick
   */
  put(...entities: FakeTrackedEntity[]): void {
    for (const te of entities) {
      const at = te.updatedAt || this.tick();
      this.entities.set(te.trackedEntity, { ...te, createdAt: te.createdAt || at, updatedAt: at });
    }
  }

  /**
   * Change attribute values of one entity (its `updatedAt` moves).
   * @param uid - the entity
   * @param values - attribute UID → value (null removes)
   */
  edit(uid: string, values: Record<string, string | null>): void {
    const te = this.entities.get(uid);
    if (!te) throw new Error(`no tracked entity ${uid}`);
    const attrs = te.attributes.filter((a) => !(a.attribute in values));
    for (const [attribute, value] of Object.entries(values)) if (value !== null) attrs.push({ attribute, value });
    this.entities.set(uid, { ...te, attributes: attrs, updatedAt: this.tick() });
  }

  /** @param uid - soft-delete an entity (visible only with includeDeleted=true) */
  remove(uid: string): void {
    const te = this.entities.get(uid);
    if (te) this.entities.set(uid, { ...te, deleted: true, updatedAt: this.tick() });
  }

  /** The value of an attribute of an entity. */
  attribute(uid: string, attribute: string): string | undefined {
    return this.entities.get(uid)?.attributes.find((a) => a.attribute === attribute)?.value;
  }

  private select(q: URLSearchParams, names: { program: string; type: string; ous: string[]; updatedAfter: string }): FakeTrackedEntity[] | FakeReply {
    const program = q.get(names.program);
    const type = q.get(names.type);
    if (!program && !type && !q.get('trackedEntities')) {
      return { status: 400, body: { httpStatus: 'Bad Request', httpStatusCode: 400, status: 'ERROR', message: 'Either program, tracked entity type or tracked entities must be specified' } };
    }
    const ous = names.ous.flatMap((n) => (q.get(n) ?? '').split(/[;,]/)).filter(Boolean);
    const after = q.get(names.updatedAfter);
    return [...this.entities.values()]
      .filter((te) => (!program || te.enrollments.some((e) => e.program === program)) && (!type || te.trackedEntityType === type))
      .filter((te) => ous.length === 0 || ous.includes(te.orgUnit) || ous.includes(SL.sierraLeone))
      .filter((te) => q.get('includeDeleted') === 'true' || !te.deleted)
      // updatedAfter is inclusive (dhis2-core TrackedEntitiesExportController.md)
      .filter((te) => !after || timeKey(te.updatedAt) >= timeKey(after))
      .sort((a, b) => (timeKey(a.updatedAt) < timeKey(b.updatedAt) ? -1 : timeKey(a.updatedAt) > timeKey(b.updatedAt) ? 1 : a.trackedEntity < b.trackedEntity ? -1 : 1));
  }

  private paging(q: URLSearchParams, all: unknown[]): { items: unknown[]; page: number; pageSize: number; total?: number; pageCount?: number } | FakeReply {
    const page = Math.max(1, Number(q.get('page') ?? 1));
    const pageSize = Number(q.get('pageSize') ?? 50);
    if (pageSize > MAX_PAGE_SIZE) return { status: 409, body: { httpStatusCode: 409, status: 'ERROR', message: `Invalid page size: ${pageSize}, max is ${MAX_PAGE_SIZE}` } };
    const totals = q.get('totalPages') === 'true' ? { total: all.length, pageCount: Math.ceil(all.length / pageSize) } : {};
    return { items: all.slice((page - 1) * pageSize, page * pageSize), page, pageSize, ...totals };
  }

  private withProgramAttributes(te: FakeTrackedEntity, program: string | null): Record<string, unknown> {
    const { enrollments, ...rest } = te;
    const extra = program ? enrollments.filter((e) => e.program === program).flatMap((e) => e.attributes) : [];
    return { ...rest, attributes: [...te.attributes, ...extra] };
  }

  private exportPage(r: FakeRequest): FakeReply {
    const q = r.query;
    const newNames = this.version !== '2.40';
    const all = this.select(q, { program: 'program', type: 'trackedEntityType', ous: newNames ? ['orgUnits', 'orgUnit'] : ['orgUnit'], updatedAfter: 'updatedAfter' });
    if (!Array.isArray(all)) return all;
    const p = this.paging(q, all.map((te) => this.withProgramAttributes(te, q.get('program'))));
    if (!('items' in p)) return p;
    const { items, ...pager } = p;
    if (this.version === '2.40') return { body: { ...pager, instances: items } };
    if (this.version === '2.41') return { body: { pager, ...pager, trackedEntities: items } };
    return { body: { pager, trackedEntities: items } };
  }

  private legacyPage(r: FakeRequest): FakeReply {
    if (this.version === '2.42') return { status: 404, body: { httpStatusCode: 404, message: 'Not found' } };
    const all = this.select(r.query, { program: 'program', type: 'trackedEntityType', ous: ['ou'], updatedAfter: 'lastUpdatedStartDate' });
    if (!Array.isArray(all)) return all;
    const legacy = all.map((te) => {
      const t = this.withProgramAttributes(te, r.query.get('program'));
      return {
        trackedEntityInstance: te.trackedEntity, trackedEntity: te.trackedEntityType, orgUnit: te.orgUnit, deleted: te.deleted, inactive: te.inactive,
        created: te.createdAt.replace('T', ' '), lastUpdated: te.updatedAt.replace('T', ' '), attributes: t.attributes,
      };
    });
    const p = this.paging(r.query, legacy);
    if (!('items' in p)) return p;
    const { items, ...pager } = p;
    return { body: { ...(r.query.get('totalPages') === 'true' ? { pager } : {}), trackedEntityInstances: items } };
  }

  private importEntities(r: FakeRequest): FakeReply {
    this.imports.push(r.json);
    const body = r.json as { trackedEntities?: Array<{ trackedEntity?: string; attributes?: Array<{ attribute: string; value: string | null }> }> } | undefined;
    const errorReports: unknown[] = [];
    let updated = 0;
    for (const te of body?.trackedEntities ?? []) {
      if (!te.trackedEntity || !this.entities.has(te.trackedEntity)) {
        errorReports.push({ message: `TrackedEntity: \`${te.trackedEntity ?? ''}\`, does not exist.`, errorCode: 'E1063', trackerType: 'TRACKED_ENTITY', uid: te.trackedEntity });
        continue;
      }
      this.edit(te.trackedEntity, Object.fromEntries((te.attributes ?? []).map((a) => [a.attribute, a.value])));
      updated++;
    }
    const status = errorReports.length > 0 ? 'ERROR' : 'OK';
    return { status: errorReports.length > 0 ? 409 : 200, body: { status, validationReport: { errorReports, warningReports: [] }, stats: { created: 0, updated, deleted: 0, ignored: errorReports.length, total: updated + errorReports.length } } };
  }

  private legacyUpdate(r: FakeRequest, uid: string): FakeReply {
    if (!this.entities.has(uid)) return { status: 404, body: { httpStatusCode: 404, status: 'ERROR', message: `TrackedEntityInstance not found: ${uid}` } };
    const body = r.json as { attributes?: Array<{ attribute: string; value: string }> } | undefined;
    this.edit(uid, Object.fromEntries((body?.attributes ?? []).map((a) => [a.attribute, a.value])));
    return { body: { httpStatus: 'OK', httpStatusCode: 200, status: 'OK', response: { responseType: 'ImportSummary', status: 'SUCCESS', reference: uid, importCount: { imported: 0, updated: 1, ignored: 0, deleted: 0 } } } };
  }
}
