/**
 * PDQm (ITI-78) search parameters → a typed `PatientQuery`. Each parameter has one parser in a
 * table; values stay literal strings (never patterns or operators). Unknown parameters and
 * modifiers are collected for the caller (ignored and reported, or 400 under `handling=strict`).
 */
import type { PatientQuery, StringMatch } from '../../registry/api';
import { MediatorError } from '../../core/errors';
import type { SearchParamDoc } from '../router';
import { isValidFhirDate } from '../validate';
import { parseToken, splitOr } from './token';

type Prefix = NonNullable<PatientQuery['birthDate']>[number]['prefix'];
type AddressField = NonNullable<PatientQuery['address']>[number]['field'];

/** The parsed search: the query, what was honoured (for the self link) and what was not. */
export interface ParsedPatientSearch {
  query: Omit<PatientQuery, 'offset' | 'count'>;
  honoured: Array<[string, string]>;
  unknown: string[];
  /** Identifier domains of a PDQm domain filter (`identifier=sysA|,sysB|`). */
  domains?: string[];
}

type ParamParser = (q: ParsedPatientSearch['query'], value: string, modifier: string | undefined, out: ParsedPatientSearch) => void;

const PREFIXES = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'sa', 'eb', 'ap']);
const GENDERS = new Set(['male', 'female', 'other', 'unknown']);

/** A search value with FHIR's escapes (`\,` `\|` `\$` `\\`) removed. */
function unescapeValue(v: string): string {
  return v.replace(/\\([,|$\\])/g, '$1');
}

function single(value: string, name: string): string {
  const parts = splitOr(value);
  if (parts.length !== 1 || !parts[0]) {
    throw new MediatorError('invalid', `Parameter ${name} does not support OR lists or empty values`, { expression: name });
  }
  return unescapeValue(parts[0]);
}

/** A string parameter's comma-separated values (FHIR OR), unescaped; none may be empty. */
function orList(value: string, name: string): { value: string; or?: string[] } {
  const parts = splitOr(value).map(unescapeValue);
  if (parts.some((p) => p === '')) throw new MediatorError('invalid', `Parameter ${name} has an empty value`, { expression: name });
  const [first = '', ...rest] = parts;
  return rest.length > 0 ? { value: first, or: rest } : { value: first };
}

function stringParser(field: 'family' | 'given' | 'name'): ParamParser {
  return (q, value, modifier) => {
    const match = modifierMatch(modifier, field);
    (q[field] ??= []).push({ ...orList(value, field), match });
  };
}

function modifierMatch(modifier: string | undefined, name: string): StringMatch {
  if (modifier === undefined) return 'prefix';
  if (modifier === 'exact' || modifier === 'contains') return modifier;
  throw new MediatorError('invalid', `Modifier :${modifier} is not supported on ${name}`, { expression: name });
}

function addressParser(field: AddressField, name: string): ParamParser {
  return (q, value, modifier) => {
    (q.address ??= []).push({ field, ...orList(value, name), match: modifierMatch(modifier, name) });
  };
}

function noModifier(name: string, modifier: string | undefined): void {
  if (modifier !== undefined) {
    throw new MediatorError('invalid', `Modifier :${modifier} is not supported on ${name}`, { expression: name });
  }
}

const parseBirthdate: ParamParser = (q, value, modifier) => {
  noModifier('birthdate', modifier);
  const v = single(value, 'birthdate');
  const prefix = /^[a-z]{2}/.test(v) && PREFIXES.has(v.slice(0, 2)) ? v.slice(0, 2) : 'eq';
  const date = prefix === 'eq' && !v.startsWith('eq') ? v : v.slice(2);
  if (!isValidFhirDate(date)) {
    throw new MediatorError('invalid', 'birthdate must be a date (YYYY, YYYY-MM or YYYY-MM-DD) with an optional prefix', { expression: 'birthdate' });
  }
  (q.birthDate ??= []).push({ prefix: prefix as Prefix, value: date });
};

const parseIdentifier: ParamParser = (q, value, modifier, out) => {
  noModifier('identifier', modifier);
  const tokens = splitOr(value).map(parseToken);
  if (tokens.every((t) => t.system && t.value === undefined)) {
    out.domains = [...(out.domains ?? []), ...tokens.map((t) => t.system as string)];
  }
  if (tokens.length > 1) {
    if (!out.domains) {
      throw new MediatorError('invalid', 'identifier OR lists are only supported as a domain filter (sysA|,sysB|)', { expression: 'identifier' });
    }
    return;
  }
  const t = tokens[0] as { system?: string; value?: string };
  (q.identifiers ??= []).push(t.system === undefined ? { value: t.value } : t);
};

const PARSERS: Record<string, ParamParser> = {
  _id: (q, value, modifier) => {
    noModifier('_id', modifier);
    q.ids = [...(q.ids ?? []), ...splitOr(value).filter((v) => v)];
    q.kind = 'any';
  },
  active: (q, value, modifier) => {
    noModifier('active', modifier);
    if (value !== 'true' && value !== 'false') throw new MediatorError('invalid', 'active must be true or false', { expression: 'active' });
    q.active = value === 'true';
  },
  family: stringParser('family'),
  given: stringParser('given'),
  name: stringParser('name'),
  birthdate: parseBirthdate,
  gender: (q, value, modifier) => {
    noModifier('gender', modifier);
    const codes = splitOr(value).map((v) => parseToken(v).value ?? '');
    if (!codes.every((c) => GENDERS.has(c))) throw new MediatorError('invalid', 'gender must be male, female, other or unknown', { expression: 'gender' });
    q.gender = codes;
  },
  identifier: parseIdentifier,
  telecom: (q, value, modifier) => {
    noModifier('telecom', modifier);
    const t = parseToken(single(value, 'telecom'));
    (q.telecom ??= []).push(t.value ?? '');
  },
  address: addressParser('any', 'address'),
  'address-city': addressParser('city', 'address-city'),
  'address-country': addressParser('country', 'address-country'),
  'address-postalcode': addressParser('postalCode', 'address-postalcode'),
  'address-state': addressParser('state', 'address-state'),
  record: (q, value, modifier) => {
    noModifier('record', modifier);
    if (value !== 'golden' && value !== 'source' && value !== 'any') throw new MediatorError('invalid', 'record must be golden, source or any', { expression: 'record' });
    q.kind = value;
  },
};

/** Control parameters handled by the search handler itself, not by the query. */
export const CONTROL_PARAMS = new Set(['_count', '_offset', '_sort', '_summary', '_total', '_format', '_snapshot']);

/**
 * Parse PDQm parameters.
 * @param params - query parameters, each as an array of raw values
 */
export function parsePatientSearch(params: Record<string, string[]>): ParsedPatientSearch {
  const out: ParsedPatientSearch = { query: { kind: 'golden' }, honoured: [], unknown: [] };
  for (const [key, values] of Object.entries(params)) {
    if (CONTROL_PARAMS.has(key)) continue;
    const [name = '', modifier] = key.split(':', 2);
    const parser = PARSERS[name];
    if (!parser) {
      out.unknown.push(key);
      continue;
    }
    for (const value of values) {
      parser(out.query, value, modifier, out);
      out.honoured.push([key, value]);
    }
  }
  return out;
}

/** The PDQm parameters, for the CapabilityStatement. */
export const PATIENT_SEARCH_PARAMS: SearchParamDoc[] = [
  { name: '_id', type: 'token', documentation: 'Logical id of a source or golden record; comma = OR. Searches both kinds of record.' },
  { name: 'active', type: 'token' },
  { name: 'family', type: 'string', documentation: 'Prefix match, case- and accent-insensitive; :exact and :contains supported; comma = OR, repeats AND-ed.' },
  { name: 'given', type: 'string', documentation: 'As family.' },
  { name: 'name', type: 'string', documentation: 'Any name part; as family.' },
  { name: 'birthdate', type: 'date', documentation: 'YYYY, YYYY-MM or YYYY-MM-DD with prefixes eq, ne, lt, le, gt, ge, sa, eb, ap; repeats AND-ed.' },
  { name: 'gender', type: 'token', documentation: 'male | female | other | unknown; comma = OR.' },
  { name: 'identifier', type: 'token', documentation: 'system|value, |value (no system), value (any system), system| (any value in the system); an unknown system matches nothing; repeats AND-ed. A list of system| values (sysA|,sysB|) is the PDQm domain filter: only identifiers of those domains are returned, unknown domain → 404.' },
  { name: 'telecom', type: 'token', documentation: 'Phone or e-mail; digits compared for phones.' },
  { name: 'address', type: 'string', documentation: 'Any address part; :exact and :contains supported; comma = OR.' },
  { name: 'address-city', type: 'string', documentation: 'As address, on one part.' },
  { name: 'address-country', type: 'string', documentation: 'As address, on one part.' },
  { name: 'address-postalcode', type: 'string', documentation: 'As address, on one part.' },
  { name: 'address-state', type: 'string', documentation: 'As address, on one part.' },
  { name: 'record', type: 'token', documentation: 'Passerelle: golden (default), source or any — which kind of Patient record to search.' },
  {
    name: '_snapshot', type: 'date',
    documentation: 'Passerelle paging snapshot (FHIR instant, UTC). The server sets it to the time of the first page and repeats it in every self/first/next/previous link; '
      + 'each page then only counts records last updated at or before it, so records created or updated between page fetches neither appear on later pages nor shift them. '
      + 'A record updated after the snapshot drops out of later pages (the pages after it move up by one); run the search again without _snapshot to see current data.',
  },
];
