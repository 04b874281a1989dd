/**
 * `GET /fhir/AuditEvent?date=&agent=&entity=&_count=&_offset=`: the audit trail as FHIR R4
 * AuditEvents in a searchset Bundle, for clients with `mpi/admin`.
 */
import type { AuditEvent, Bundle } from 'fhir/r4';
import type { Server } from '@hapi/hapi';
import { MediatorError } from '../core/errors';
import type { AuditQuery, AuditRecord, AuditStore } from './ports';

const DATE = /^(eq|ge|gt|le|lt)?(\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?)$/;
const TOKEN = /^[A-Za-z0-9._:|/-]{1,200}$/;

/**
 * One audit record as a FHIR AuditEvent.
 * @param r - the record
 */
export function toAuditEvent(r: AuditRecord): AuditEvent {
  const entity = [
    ...r.mpiIds.map((value) => ({ what: { identifier: { system: 'urn:passerelle:mpi-id', value } }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' } })),
    ...r.sourceIds.map((value) => ({ what: { identifier: { system: 'urn:passerelle:source-record', value } }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' } })),
    ...(r.agent.transactionId ? [{ what: { identifier: { system: 'urn:openhim:transaction', value: r.agent.transactionId } }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2' } }] : []),
  ];
  return {
    resourceType: 'AuditEvent',
    id: r.id,
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: 'urn:passerelle:audit-operation', code: r.operation }],
    action: r.action,
    recorded: r.recorded,
    outcome: r.outcome,
    outcomeDesc: `HTTP ${r.httpStatus} ${r.method} ${r.route}`,
    agent: [{
      who: { identifier: { system: 'urn:passerelle:client', value: r.agent.clientId } },
      ...(r.agent.userId ? { altId: r.agent.userId } : {}),
      requestor: true,
      ...(r.agent.address ? { network: { address: r.agent.address, type: '2' as const } } : {}),
    }],
    source: { observer: { display: 'Passerelle' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }] },
    ...(entity.length > 0 ? { entity } : {}),
  };
}

function one(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !TOKEN.test(v)) throw new MediatorError('invalid', `Invalid ${name} parameter`, { expression: name });
  return v;
}

function isoInstant(v: string): string {
  const d = new Date(/(Z|[+-]\d{2}:\d{2})$/.test(v) ? v : `${v}Z`);
  if (Number.isNaN(d.getTime())) throw new MediatorError('invalid', 'Invalid date parameter', { expression: 'date' });
  return d.toISOString();
}

function dateBounds(raw: unknown, q: AuditQuery): void {
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  for (const v of values) {
    const m = typeof v === 'string' ? DATE.exec(v) : null;
    if (!m?.[2]) throw new MediatorError('invalid', 'Invalid date parameter', { expression: 'date' });
    const prefix = m[1] ?? 'eq';
    const value = m[2].includes('T') ? isoInstant(m[2]) : m[2];
    if (prefix === 'ge' || prefix === 'gt' || prefix === 'eq') q.from = value;
    if (prefix === 'lt' || prefix === 'le') q.to = prefix === 'le' ? `${value}\uffff` : value;
    if (prefix === 'eq') q.to = `${value}\uffff`;
  }
}

/**
 * Parse the AuditEvent search parameters; unknown parameters are rejected.
 * @param query - the request query
 */
export function parseAuditQuery(query: Record<string, unknown>): AuditQuery {
  const allowed = new Set(['date', 'agent', 'entity', '_count', '_offset']);
  for (const k of Object.keys(query)) if (!allowed.has(k)) throw new MediatorError('invalid', 'Unknown search parameter', { expression: k.replace(/[^A-Za-z0-9_.-]/g, '?').slice(0, 40) });
  const count = query._count === undefined ? 50 : Number(query._count);
  const offset = query._offset === undefined ? 0 : Number(query._offset);
  if (!Number.isInteger(count) || count < 1 || count > 500) throw new MediatorError('invalid', '_count must be 1..500', { expression: '_count' });
  if (!Number.isInteger(offset) || offset < 0 || offset > 100_000) throw new MediatorError('invalid', '_offset must be 0..100000', { expression: '_offset' });
  const q: AuditQuery = { agent: one(query.agent, 'agent'), entity: one(query.entity, 'entity'), offset, count };
  dateBounds(query.date, q);
  return q;
}

function pageUrl(baseUrl: string, query: Record<string, unknown>, offset: number): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (k !== '_offset') for (const x of Array.isArray(v) ? v : [v]) params.append(k, String(x));
  params.set('_offset', String(offset));
  return `${baseUrl}/fhir/AuditEvent?${params.toString()}`;
}

/**
 * What the AuditEvent search adds to the FHIR CapabilityStatement: this module serves it under /fhir
 * but may not import the FHIR module, so the composition root hands these to it.
 */
export const AUDIT_EVENT_CAPABILITIES = [
  { kind: 'interaction' as const, resource: 'AuditEvent', code: 'search-type' as const },
  {
    kind: 'search' as const, resource: 'AuditEvent',
    params: [
      { name: 'date', type: 'date' as const, documentation: 'When the access happened: YYYY-MM-DD or an instant, prefixes eq, ge, gt, le, lt; repeat for a range. Needs scope mpi/admin.' },
      { name: 'agent', type: 'token' as const, documentation: 'Who: the client id, user or OpenHIM client.' },
      { name: 'entity', type: 'token' as const, documentation: 'What was touched: an MPI ID or a source identifier key (system|value).' },
      { name: '_count', type: 'number' as const, documentation: '1..500, default 50.' },
      { name: '_offset', type: 'number' as const, documentation: 'Paging offset, 0..100000.' },
    ],
  },
];

/**
 * Register the AuditEvent search route.
 * @param server - the hapi server
 * @param store - the audit store
 * @param baseUrl - for fullUrl and paging links
 */
export function registerAuditEventRoute(server: Server, store: AuditStore, baseUrl: string): void {
  server.route({
    method: 'GET',
    path: '/fhir/AuditEvent',
    options: { plugins: { passerelle: { scope: 'mpi/admin', audit: 'audit.search' } } },
    handler: async (request, h) => {
      const query = request.query as Record<string, unknown>;
      const q = parseAuditQuery(query);
      const page = await store.search(q);
      const bundle: Bundle = {
        resourceType: 'Bundle', type: 'searchset', total: page.total,
        link: [{ relation: 'self', url: pageUrl(baseUrl, query, q.offset) }, ...(q.offset + q.count < page.total ? [{ relation: 'next', url: pageUrl(baseUrl, query, q.offset + q.count) }] : [])],
        entry: page.items.map((r) => ({ fullUrl: `${baseUrl}/fhir/AuditEvent/${r.id}`, resource: toAuditEvent(r), search: { mode: 'match' as const } })),
      };
      return h.response(bundle).type('application/fhir+json');
    },
  });
}
