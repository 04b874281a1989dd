/**
 * The custom JSONata functions every mapping may call, in addition to JSONata's own. Each is a plain,
 * synchronous JavaScript function; a value it cannot read makes it throw a `MappingFunctionError`,
 * which fails the record's mapping with that reason (the record goes to the dead letters, the page
 * goes on). Documented with examples in src/transforms/README.md.
 */
import { normalisePhone } from '../registry/matching/phone';

/** What the functions need from the deployment; read at each call, so `reconfigure` applies at once. */
export interface MappingFunctionOptions {
  /** `(conceptMapUrl, code) → target code` over the loaded ConceptMaps. */
  translate(conceptMapUrl: string, code: string): string | undefined;
  /** ISO 3166 country of national phone numbers (DEFAULT_PHONE_COUNTRY). */
  phoneCountry(): string;
  /** Logical DHIS2 field (firstName, lastName…) → tracked-entity attribute UIDs, tried in order. */
  dhis2Attributes(): Readonly<Record<string, readonly string[]>>;
}

/** A function of a mapping refused its input; the message is the record's failure reason. */
export class MappingFunctionError extends Error {
  /**
   * @param message - why the value could not be read (no personal data beyond the value's shape)
   */
  constructor(message: string) {
    super(message);
    this.name = 'MappingFunctionError';
  }
}

type Attribute = { attribute?: unknown; value?: unknown };
type TrackedEntity = { attributes?: Attribute[]; enrollments?: Array<{ attributes?: Attribute[] }> };

/** Attribute values of one tracked entity by UID; built once per entity, reused by every lookup. */
const attributeIndex = new WeakMap<object, Map<string, string>>();

function indexAttributes(te: TrackedEntity): Map<string, string> {
  let index = attributeIndex.get(te);
  if (index) return index;
  index = new Map();
  // Tracked-entity-type attributes first; program attributes (under enrollments) fill the gaps.
  const lists = [te.attributes, ...(Array.isArray(te.enrollments) ? te.enrollments.map((e) => e?.attributes) : [])];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const a of list) {
      if (typeof a?.attribute !== 'string' || index.has(a.attribute)) continue;
      const v = typeof a.value === 'string' ? a.value.trim() : typeof a.value === 'number' ? String(a.value) : '';
      if (v !== '') index.set(a.attribute, v);
    }
  }
  attributeIndex.set(te, index);
  return index;
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;
// DHIS2 (`2019-08-21T13:25:38.022`, legacy `2014-03-28 12:27:52.399`), ISO with Z or an offset,
// OpenMRS REST (`1936-12-04T00:00:00.000+0000`).
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?$/;

function isCalendarDate(y: number, m: number, d: number): boolean {
  return m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function checkedDate(text: string): string {
  const m = DATE.exec(text);
  if (!m) throw new MappingFunctionError(`"${text.slice(0, 40)}" is not a date`);
  const [, y, mo, d] = m;
  if (mo !== undefined && !isCalendarDate(Number(y), Number(mo), Number(d ?? 1))) {
    throw new MappingFunctionError(`"${text}" is not a calendar date`);
  }
  return text;
}

/**
 * `$toDate(value)`: a FHIR `date` from a date or a timestamp as the source systems write them. The
 * date part is taken as written, never shifted by a time zone (a birth date at midnight UTC stays
 * that day). `YYYY` and `YYYY-MM` (OpenMRS estimated dates) pass through.
 * @param value - the source value; empty or absent gives undefined
 * @example $toDate("2019-08-21T13:25:38.022") = "2019-08-21"; $toDate("1936-12-04T00:00:00.000+0000") = "1936-12-04"
 */
export function toDate(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new MappingFunctionError(`a date must be a string, not a ${typeof value}`);
  const text = value.trim();
  const ts = TIMESTAMP.exec(text);
  return checkedDate(ts ? (ts[1] as string) : text);
}

/**
 * `$toDateTime(value, offset)`: a FHIR `dateTime` from a source timestamp. A timestamp without an
 * offset (DHIS2 writes server-local time) gets `offset` (default `Z`): the mapping states the source
 * server's zone, the mediator's own zone is never used. `+0000` becomes `+00:00`.
 * @param value - the source timestamp; empty or absent gives undefined
 * @param offset - the source server's UTC offset (`Z`, `+01:00`…)
 * @example $toDateTime("2019-08-21T13:25:38.022") = "2019-08-21T13:25:38.022Z"; $toDateTime("2014-03-28 12:27:52.399", "+02:00") = "2014-03-28T12:27:52.399+02:00"
 */
export function toDateTime(value: unknown, offset?: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new MappingFunctionError(`a timestamp must be a string, not a ${typeof value}`);
  const ts = TIMESTAMP.exec(value.trim());
  if (!ts) return toDate(value);
  const [, date, time, zone] = ts as unknown as [string, string, string, string | undefined];
  checkedDate(date);
  const fallback = typeof offset === 'string' && /^(Z|[+-]\d{2}:\d{2})$/.test(offset) ? offset : 'Z';
  const z = zone === undefined ? fallback : zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return `${date}T${time.length === 5 ? `${time}:00` : time}${z}`;
}

/**
 * `$phoneE164(value, country)`: a phone number in E.164 (`+<country code><number>`), a national
 * number read in `country` (default: DEFAULT_PHONE_COUNTRY). A value too short to be a number gives
 * undefined.
 * @param opts - the deployment's options
 */
export function phoneE164(opts: MappingFunctionOptions): (value: unknown, country?: unknown) => string | undefined {
  return (value, country) => {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' && typeof value !== 'number') throw new MappingFunctionError(`a phone number must be a string, not a ${typeof value}`);
    const normalised = normalisePhone(String(value), typeof country === 'string' && country !== '' ? country : opts.phoneCountry());
    return normalised.startsWith('+') ? normalised : undefined;
  };
}

/**
 * `$dhis2Attribute(te, field)`: the value of a tracked entity's attribute, by logical field
 * (`firstName`, `lastName`, `sex`, `birthDate`, `nationalId`, `phone`, `address`: the configured
 * UIDs, first one with a value) or by attribute UID. Looks at the tracked-entity-type attributes,
 * then at the program attributes under `enrollments`.
 * @param opts - the deployment's options
 */
export function dhis2Attribute(opts: MappingFunctionOptions): (te: unknown, field: unknown) => string | undefined {
  return (te, field) => {
    if (te === null || typeof te !== 'object' || typeof field !== 'string') return undefined;
    const index = indexAttributes(te);
    for (const uid of opts.dhis2Attributes()[field] ?? [field]) {
      const v = index.get(uid);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}

/**
 * `$translate(code, conceptMapUrl)`: the target code of `code` in the ConceptMap with that url
 * (bundled under src/transforms/terminology or added in MAPPINGS_DIR/terminology); the map's
 * `unmapped` rule applies to unknown codes; undefined when nothing maps.
 * @param opts - the deployment's options
 */
export function translateCode(opts: MappingFunctionOptions): (code: unknown, conceptMapUrl: unknown) => string | undefined {
  return (code, conceptMapUrl) => {
    if (code === undefined || code === null || code === '') return undefined;
    if (typeof conceptMapUrl !== 'string') throw new MappingFunctionError('$translate needs a ConceptMap url');
    if (typeof code !== 'string' && typeof code !== 'number') throw new MappingFunctionError(`a code must be a string, not a ${typeof code}`);
    return opts.translate(conceptMapUrl, String(code));
  };
}

/**
 * The functions as JSONata registers them (name without `$` → implementation).
 * @param opts - the deployment's options
 */
export function mappingFunctions(opts: MappingFunctionOptions): Record<string, (...args: unknown[]) => unknown> {
  return {
    toDate: (v) => toDate(v),
    toDateTime: (v, o) => toDateTime(v, o),
    phoneE164: phoneE164(opts),
    dhis2Attribute: dhis2Attribute(opts),
    translate: translateCode(opts),
  };
}
