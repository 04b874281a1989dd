/**
 * Translation of a typed PatientQuery into a Mongo filter over the normalised `search` fields.
 * User strings only ever appear as values (equality or an escaped, anchored regex), never as keys or
 * operators; anything that is not a string is rejected.
 */
import type { Document, Filter, Sort } from 'mongodb';
import { MediatorError } from '../../core/errors';
import type { PatientQuery, StringCondition, StringMatch } from '../api';
import { conditionValues } from '../api';
import { dateRange, normalizeSearchText, normalizeTelecom, SORT_FIELD } from '../search-fields';
import { elementStartsWith, escapeRegex } from '../../storage/regex';

function str(v: unknown): string {
  if (typeof v !== 'string') {
    throw new MediatorError('invalid', 'search values must be strings');
  }
  return v;
}

function stringCond(value: unknown, match: StringMatch): Document {
  const q = normalizeSearchText(str(value));
  if (match === 'exact') {
    return { $eq: q };
  }
  // Every field searched this way holds an array of normalised strings (SearchFields).
  return match === 'prefix' ? elementStartsWith(q) : { $regex: escapeRegex(q) };
}

/** One string condition on a field; an OR list becomes `$or` of the same condition per value. */
function anyOf(field: string, c: StringCondition): Document {
  const values = conditionValues(c);
  if (values.length === 1) return { [field]: stringCond(values[0], c.match) };
  return { $or: values.map((v) => ({ [field]: stringCond(v, c.match) })) };
}

function shiftYear(date: string, years: number): string {
  return `${String(Number(date.slice(0, 4)) + years).padStart(4, '0')}${date.slice(4)}`;
}

function dateCond(prefix: NonNullable<PatientQuery['birthDate']>[number]['prefix'], value: unknown): Document {
  const { low, high } = dateRange(str(value));
  const f = 'search.birthDate';
  switch (prefix) {
    case 'eq':
      return { [f]: { $gte: low, $lte: high } };
    case 'ne':
      return { $or: [{ [f]: { $lt: low } }, { [f]: { $gt: high } }, { [f]: { $exists: false } }] };
    case 'lt':
    case 'eb':
      return { [f]: { $lt: low } };
    case 'le':
      return { [f]: { $lte: high } };
    case 'gt':
    case 'sa':
      return { [f]: { $gt: high } };
    case 'ge':
      return { [f]: { $gte: low } };
    case 'ap':
      return { [f]: { $gte: shiftYear(low, -1), $lte: shiftYear(high, 1) } };
  }
}

/**
 * Filter on one identifier (system, value or both) over the flat identifier fields.
 * @param id - system and/or value
 */
export function identifierFilter(id: { system?: string; value?: string }): Document {
  if (id.system !== undefined && id.value !== undefined) {
    return { 'search.idKeys': { $eq: `${str(id.system)}|${str(id.value)}` } };
  }
  if (id.system !== undefined) {
    return { 'search.idSystems': { $eq: str(id.system) } };
  }
  if (id.value !== undefined) {
    return { 'search.idValues': { $eq: str(id.value) } };
  }
  throw new MediatorError('invalid', 'identifier search needs a system or a value');
}

const ADDRESS = { any: 'search.addressAny', city: 'search.city', country: 'search.country', postalCode: 'search.postalCode', state: 'search.state' } as const;

/**
 * Build the filter of a query.
 * @param q - the typed query
 */
export function toMongoFilter(q: PatientQuery): Filter<Document> {
  const and: Document[] = [];
  if (q.ids) {
    and.push({ 'search.id': { $in: q.ids.map(str) } });
  }
  if (q.active !== undefined) {
    and.push({ 'search.active': q.active === true });
  }
  for (const [field, conds] of [['search.family', q.family], ['search.given', q.given], ['search.names', q.name]] as const) {
    (conds ?? []).forEach((c) => and.push(anyOf(field, c)));
  }
  for (const id of q.identifiers ?? []) {
    and.push(identifierFilter(id));
  }
  (q.birthDate ?? []).forEach((d) => and.push(dateCond(d.prefix, d.value)));
  if (q.gender && q.gender.length > 0) {
    and.push({ 'search.gender': { $in: q.gender.map(str) } });
  }
  (q.telecom ?? []).forEach((t) => and.push({ 'search.telecom': { $eq: normalizeTelecom(str(t)) } }));
  (q.address ?? []).forEach((a) => and.push(anyOf(ADDRESS[a.field], a)));
  if (q.lastUpdatedLe !== undefined) {
    and.push({ 'search.lastUpdated': { $lte: str(q.lastUpdatedLe) } });
  }
  return and.length > 0 ? { $and: and } : {};
}

/**
 * Sort specification of a query (default: last updated, newest first), ties broken by id.
 * @param q - the typed query
 */
export function toMongoSort(q: PatientQuery): Sort {
  const sort: Record<string, 1 | -1> = {};
  for (const s of q.sort && q.sort.length > 0 ? q.sort : [{ field: '_lastUpdated' as const, desc: true }]) {
    sort[`search.${SORT_FIELD[s.field]}`] = s.desc ? -1 : 1;
  }
  sort['search.id'] ??= 1;
  return sort;
}
