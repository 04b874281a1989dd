/**
 * Practitioner read and search (health workers filled by the iHRIS channel). When a health worker
 * is also registered as a patient (one of their identifiers resolves in the cross-reference), the
 * golden record is added as the `practitioner-patient` extension.
 */
import type { Practitioner } from 'fhir/r4';
import { MediatorError } from '../core/errors';
import { PRACTITIONER_PATIENT_URL } from './extensions';
import { allOk } from './outcomes';
import type { SearchParamDoc } from './router';
import { parseToken, splitOr } from './search/token';
import { parseControls, searchset, unknownParamsOutcome } from './search/searchset';
import type { FhirContext, FhirHandler, FhirRequest, FhirResult } from './types';
import type { PractitionerQuery } from '../practitioners/port';
import { etag } from '../http/etag';

async function withGoldenLink(api: FhirContext, p: Practitioner): Promise<Practitioner> {
  for (const i of p.identifier ?? []) {
    if (!i.system || !i.value) continue;
    const golden = await api.registry.resolveIdentifier({ system: i.system, value: i.value });
    if (golden) {
      const others = (p.extension ?? []).filter((e) => e.url !== PRACTITIONER_PATIENT_URL);
      return { ...p, extension: [...others, { url: PRACTITIONER_PATIENT_URL, valueReference: { reference: `Patient/${golden.mpiId}` } }] };
    }
  }
  return p;
}

/** `GET Practitioner/{id}`. */
export const readPractitioner: FhirHandler = async (req: FhirRequest, api: FhirContext): Promise<FhirResult> => {
  const p = await api.practitioners.get(req.params.id ?? '');
  if (!p) throw new MediatorError('not-found', 'Practitioner not found');
  return [allOk(), await withGoldenLink(api, p), p.meta?.versionId ? { ETag: etag(p.meta.versionId) } : {}];
};

const STRING_PARAMS = ['name', 'family', 'given'] as const;

function parseQuery(req: FhirRequest): { query: Omit<PractitionerQuery, 'offset' | 'count'>; honoured: Array<[string, string]>; unknown: string[] } {
  const query: Omit<PractitionerQuery, 'offset' | 'count'> = {};
  const honoured: Array<[string, string]> = [];
  const unknown: string[] = [];
  for (const [key, values] of Object.entries(req.query)) {
    if (key.startsWith('_count') || key === '_offset' || key === '_summary' || key === '_total') continue;
    for (const v of values) {
      if ((STRING_PARAMS as readonly string[]).includes(key)) (query[key as (typeof STRING_PARAMS)[number]] ??= []).push(v);
      else if (key === 'identifier') (query.identifier ??= []).push(...splitOr(v).slice(0, 1).map(parseToken));
      else if (key === 'active') query.active = v === 'true';
      else {
        unknown.push(key);
        continue;
      }
      honoured.push([key, v]);
    }
  }
  return { query, honoured, unknown: [...new Set(unknown)] };
}

/** `GET Practitioner?name=&family=&given=&identifier=&active=`. */
export const searchPractitioners: FhirHandler = async (req: FhirRequest, api: FhirContext): Promise<FhirResult> => {
  const { query, honoured, unknown } = parseQuery(req);
  const warning = unknownParamsOutcome(unknown, req.prefer);
  const controls = parseControls(req.query, api.defaultCount, api.maxCount);
  const page = await api.practitioners.search({ ...query, offset: controls.offset, count: controls.summaryCount ? 0 : controls.count });
  const resources = await Promise.all(page.items.map((p) => withGoldenLink(api, p)));
  return [allOk(), searchset({ baseUrl: api.baseUrl, path: 'Practitioner', honoured, controls, total: page.total, resources, warning })];
};

/** Practitioner search parameters, for the CapabilityStatement. */
export const PRACTITIONER_SEARCH_PARAMS: SearchParamDoc[] = [
  { name: 'name', type: 'string' },
  { name: 'family', type: 'string' },
  { name: 'given', type: 'string' },
  { name: 'identifier', type: 'token', documentation: 'system|value or value' },
  { name: 'active', type: 'token' },
];
