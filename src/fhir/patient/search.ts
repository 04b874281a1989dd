/**
 * PDQm (ITI-78) Patient search, GET and POST `_search`. Searches golden records by default
 * (`record=source|any` widens it; `_id` searches both kinds).
 */
import type { Patient } from 'fhir/r4';
import { MediatorError } from '../../core/errors';
import type { PatientQuery } from '../../registry/api';
import { allOk } from '../outcomes';
import { parsePatientSearch } from '../search/patient-params';
import { parseControls, searchset, unknownParamsOutcome } from '../search/searchset';
import type { FhirContext, FhirHandler, FhirRequest, FhirResult } from '../types';
import { sourceToPatient } from './present';

const SORT_FIELDS = new Set(['family', 'given', 'birthdate', '_lastUpdated', '_id']);

function parseSort(values: string[] | undefined): PatientQuery['sort'] {
  const raw = values?.[0];
  if (raw === undefined) return [{ field: '_lastUpdated', desc: false }];
  return raw.split(',').map((s) => {
    const field = s.replace(/^-/, '');
    if (!SORT_FIELDS.has(field)) throw new MediatorError('invalid', `_sort supports ${[...SORT_FIELDS].join(', ')}`, { expression: '_sort' });
    return { field: field as NonNullable<PatientQuery['sort']>[number]['field'], desc: s.startsWith('-') };
  });
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/**
 * The paging snapshot: `_snapshot` of a next/previous link, or now for a first page. Every page of
 * a search is bounded by it (lastUpdated ≤ snapshot), so records created between page fetches
 * neither appear on later pages nor shift them; a record updated meanwhile drops out of later pages.
 */
function parseSnapshot(values: string[] | undefined): string {
  const raw = values?.[0];
  if (raw === undefined) return new Date().toISOString();
  const ms = INSTANT.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(ms)) throw new MediatorError('invalid', '_snapshot must be a FHIR instant such as 2026-01-02T03:04:05.678Z', { expression: '_snapshot' });
  return new Date(ms).toISOString();
}

async function present(api: FhirContext, item: { kind: 'golden' | 'source'; patient: Patient }): Promise<Patient> {
  if (item.kind === 'source' && item.patient.id) {
    const source = await api.registry.getSourceById(item.patient.id);
    if (source) return sourceToPatient(source);
  }
  return item.patient;
}

async function checkDomains(api: FhirContext, domains: string[] | undefined): Promise<void> {
  for (const d of domains ?? []) {
    if (!(await api.domains.isKnown(d))) throw new MediatorError('not-found', 'targetSystem not found', { expression: 'identifier' });
  }
}

function filterIdentifiers(p: Patient, domains: string[] | undefined): Patient {
  if (!domains) return p;
  const identifier = (p.identifier ?? []).filter((i) => i.system !== undefined && domains.includes(i.system));
  const out: Patient = { ...p, identifier };
  if (identifier.length === 0) delete out.identifier;
  return out;
}

/** The PDQm search handler. */
export const searchPatients: FhirHandler = async (req: FhirRequest, api: FhirContext): Promise<FhirResult> => {
  const parsed = parsePatientSearch(req.query);
  const warning = unknownParamsOutcome(parsed.unknown, req.prefer);
  const controls = parseControls(req.query, api.defaultCount, api.maxCount);
  const sort = parseSort(req.query._sort);
  const snapshot = parseSnapshot(req.query._snapshot);
  await checkDomains(api, parsed.domains);
  const result = await api.registry.searchPatients({ ...parsed.query, lastUpdatedLe: snapshot, sort, offset: controls.offset, count: controls.summaryCount ? 0 : controls.count });
  const resources = await Promise.all(result.items.map(async (i) => filterIdentifiers(await present(api, i), parsed.domains)));
  const extra: Array<[string, string]> = req.query._sort?.[0] ? [['_sort', req.query._sort[0]]] : [];
  extra.push(['_snapshot', snapshot]);
  const bundle = searchset({ baseUrl: api.baseUrl, path: 'Patient', honoured: parsed.honoured, extra, controls, total: result.total, resources, warning });
  return [allOk(), bundle];
};
