/**
 * Reading and editing golden records: search, read (a merged ID answers with its survivor), patch,
 * cross-reference links, identifier resolution and history.
 */
import type { z } from 'zod';
import { MediatorError } from '../../core/errors';
import { etag, ifMatchVersion } from '../../http/etag';
import { noteAudit } from '../../audit/context';
import type { PatientQuery } from '../../registry/api';
import { defineRoute } from '../route-table';
import type { MpiRoute } from '../route-table';
import { historyResponse, identity, linkBody, mpiIdParams, patchBody, resolveParams, searchQuery, searchResponse } from '../schemas';
import type { LinkBody, PatchBody } from '../schemas';
import { identityOf, systemOf, toPatientPatch, whoOf } from '../views';
import { identifierKey } from '../../core/types';

type MpiIdParams = z.infer<typeof mpiIdParams>;



const search = defineRoute<Record<string, never>, z.infer<typeof searchQuery>>({
  method: 'GET', path: '/mpi/search', operationId: 'searchIdentities', tags: ['identities'], summary: 'Search golden records',
  security: { scope: 'system/Patient.read' }, audit: 'mpi.search', query: searchQuery,
  responses: { 200: { description: 'Matching golden records', schema: searchResponse } },
  async handler({ query, request, deps }) {
    const q: PatientQuery = { kind: 'golden', offset: query.offset, count: query.limit };
    if (query.q) q.name = query.q.split(/\s+/).filter(Boolean).map((value) => ({ value, match: 'prefix' as const }));
    if (query.mpi_id) q.ids = [query.mpi_id];
    if (query.region_code) q.address = [{ field: 'state', value: query.region_code, match: 'exact' }];
    if (query.date_of_birth) q.birthDate = [{ prefix: 'eq', value: query.date_of_birth }];
    if (query.program) q.identifiers = [{ system: systemOf(query.program, deps.identifierSystems) }];
    if (query.identifier) q.identifiers = [...(q.identifiers ?? []), { value: query.identifier }];
    const result = await deps.registry.searchPatients(q);
    // One batch read of the golden records found, so each item is shown as GET /mpi/{mpi_id} shows it.
    const items = (await deps.registry.getGoldens(result.items.map((i) => i.patient.id ?? ''))).map((g) => identityOf(g));
    noteAudit(request, { mpiIds: items.map((i) => i.mpi_id) });
    return { body: { total: result.total, limit: query.limit, offset: query.offset, items } };
  },
});

const read = defineRoute<MpiIdParams>({
  method: 'GET', path: '/mpi/{mpi_id}', operationId: 'readIdentity', tags: ['identities'],
  summary: 'Read a golden record; a merged MPI ID answers with its survivor (redirected_from set)',
  security: { scope: 'system/Patient.read' }, audit: 'mpi.read', params: mpiIdParams,
  responses: { 200: { description: 'The golden record', schema: identity }, 404: { description: 'Unknown MPI ID' } },
  async handler({ params, request, deps }) {
    const found = await deps.registry.getGolden(params.mpi_id);
    if (!found) throw new MediatorError('not-found', 'No identity with this MPI ID');
    noteAudit(request, { mpiIds: [params.mpi_id, found.golden.mpiId] });
    return {
      body: identityOf(found.golden, found.redirectedFrom),
      headers: { ETag: etag(found.golden.version), ...(found.redirectedFrom ? { 'Content-Location': `/mpi/${found.golden.mpiId}` } : {}) },
    };
  },
});

const patch = defineRoute<MpiIdParams, Record<string, never>, PatchBody>({
  method: 'PATCH', path: '/mpi/{mpi_id}', operationId: 'patchIdentity', tags: ['identities'],
  summary: 'Edit golden-record demographics (a steward override; send If-Match for optimistic concurrency)',
  security: { scope: 'system/Patient.write' }, audit: 'mpi.patch', params: mpiIdParams, body: patchBody,
  responses: { 200: { description: 'The updated golden record', schema: identity }, 412: { description: 'Version mismatch' } },
  async handler({ params, body, actor, request, deps }) {
    const golden = await deps.registry.patchGolden(params.mpi_id, toPatientPatch(body), actor, ifMatchVersion(request.headers['if-match']));
    noteAudit(request, { mpiIds: [golden.mpiId], detail: { fields: Object.keys(body).join(',') } });
    return { body: identityOf(golden), headers: { ETag: etag(golden.version) } };
  },
});

const link = defineRoute<MpiIdParams, Record<string, never>, LinkBody>({
  method: 'POST', path: '/mpi/{mpi_id}/links', operationId: 'linkIdentifier', tags: ['identities'],
  summary: 'Add an external identifier (e.g. a DHIS2 UID under its instance URL) to the cross-reference',
  security: { scope: 'system/Patient.write' }, audit: 'mpi.link-identifier', params: mpiIdParams, body: linkBody,
  responses: { 201: { description: 'The golden record with the new identifier', schema: identity }, 409: { description: 'The identifier belongs to another identity' } },
  async handler({ params, body, actor, request, deps }) {
    const system = body.instance_url ? body.instance_url.replace(/\/+$/, '') : systemOf(body.system ?? '', deps.identifierSystems);
    const golden = await deps.registry.addIdentifier(params.mpi_id, { system, value: body.value }, actor);
    noteAudit(request, { mpiIds: [golden.mpiId], sourceIds: [identifierKey({ system, value: body.value })] });
    return { status: 201, body: identityOf(golden) };
  },
});

const resolve = defineRoute<z.infer<typeof resolveParams>>({
  method: 'GET', path: '/mpi/resolve/{system}/{value}', operationId: 'resolveIdentifier', tags: ['identities'],
  summary: 'Which identity holds this identifier (URL-encode a URI system); 404 when not linked',
  security: { scope: 'system/Patient.read' }, audit: 'mpi.resolve', params: resolveParams,
  responses: { 200: { description: 'The golden record', schema: identity }, 404: { description: 'Not linked' } },
  async handler({ params, request, deps }) {
    const system = systemOf(params.system, deps.identifierSystems);
    const golden = await deps.registry.resolveIdentifier({ system, value: params.value });
    noteAudit(request, { mpiIds: golden ? [golden.mpiId] : [], sourceIds: [identifierKey({ system, value: params.value })] });
    if (!golden) throw new MediatorError('not-found', 'This identifier is not linked to any identity');
    return { body: identityOf(golden) };
  },
});

const history = defineRoute<MpiIdParams>({
  method: 'GET', path: '/mpi/{mpi_id}/history', operationId: 'identityHistory', tags: ['identities'],
  summary: 'Every version of a golden record with the fields that changed',
  security: { scope: 'system/Patient.read' }, audit: 'mpi.history', params: mpiIdParams,
  responses: { 200: { description: 'Versions, oldest first', schema: historyResponse } },
  async handler({ params, request, deps }) {
    const entries = await deps.registry.history('golden', params.mpi_id);
    if (entries.length === 0) throw new MediatorError('not-found', 'No identity with this MPI ID');
    noteAudit(request, { mpiIds: [params.mpi_id] });
    return { body: { items: entries.map((e) => ({ version: e.version, at: e.at, operation: e.operation, changed_fields: e.changedFields, ...(e.status ? { status: e.status } : {}), ...whoOf(e.actor) })) } };
  },
});

/** Identity routes; `search` and `resolve` precede `/mpi/{mpi_id}` only for readability (hapi orders by specificity). */
export const identityRoutes: MpiRoute[] = [search, read, patch, link, resolve, history];
