/**
 * `Patient/{id}/_history` and `Patient/_history`: history Bundles, newest first, each version
 * carrying its changed fields as `meta.extension` (`changed-field`, one per field).
 */
import type { Bundle, BundleEntry, Patient } from 'fhir/r4';
import { MediatorError } from '../core/errors';
import type { HistoryEntry } from '../registry/api';
import { CHANGED_FIELD_URL } from './extensions';
import { allOk } from './outcomes';
import { parseControls } from './search/searchset';
import type { FhirContext, FhirHandler, FhirRequest, FhirResult } from './types';
import { isValidFhirDate } from './validate';
import { findGolden } from './patient/resolve';
import { etag } from '../http/etag';

function method(e: HistoryEntry): 'POST' | 'PUT' | 'DELETE' {
  if (e.deleted) return 'DELETE';
  return e.version === 1 ? 'POST' : 'PUT';
}

function toEntry(api: FhirContext, e: HistoryEntry): BundleEntry {
  const url = `Patient/${e.id}`;
  const patient: Patient = {
    ...e.patient,
    resourceType: 'Patient',
    id: e.id,
    meta: {
      ...e.patient.meta,
      versionId: String(e.version),
      lastUpdated: e.at,
      ...(e.changedFields.length > 0 ? { extension: e.changedFields.map((f) => ({ url: CHANGED_FIELD_URL, valueString: f })) } : {}),
    },
  };
  const status = e.deleted ? '204' : e.version === 1 ? '201' : '200';
  return {
    fullUrl: `${api.baseUrl}/${url}`,
    ...(e.deleted ? {} : { resource: patient }),
    request: { method: method(e), url },
    response: { status, etag: etag(e.version), lastModified: e.at },
  };
}

function historyBundle(api: FhirContext, entries: HistoryEntry[], total: number): Bundle {
  const sorted = [...entries].sort((a, b) => (a.at === b.at ? b.version - a.version : a.at < b.at ? 1 : -1));
  const entry = sorted.map((e) => toEntry(api, e));
  return { resourceType: 'Bundle', id: crypto.randomUUID(), type: 'history', total, ...(entry.length > 0 ? { entry } : {}) };
}

/** Instance history of a source or golden Patient. */
export const patientHistory: FhirHandler = async (req: FhirRequest, api: FhirContext): Promise<FhirResult> => {
  const id = req.params.id ?? '';
  const source = await api.registry.getSourceById(id);
  if (!source && !(await findGolden(api.registry, id))) throw new MediatorError('not-found', 'Patient not found');
  const entries = await api.registry.history(source ? 'source' : 'golden', id);
  return [allOk(), historyBundle(api, entries, entries.length)];
};

/** Type history of all Patients, `_since` and `_count` honoured. */
export const patientTypeHistory: FhirHandler = async (req: FhirRequest, api: FhirContext): Promise<FhirResult> => {
  const since = req.query._since?.[0];
  if (since !== undefined && !isValidFhirDate(since, true)) throw new MediatorError('invalid', '_since must be an instant', { expression: '_since' });
  const { count, offset } = parseControls(req.query, api.defaultCount, api.maxCount);
  const page = await api.registry.typeHistory({ since, count, offset });
  return [allOk(), historyBundle(api, page.items, page.total)];
};
