/**
 * Survivorship: the golden Patient is a pure function of its linked sources (plus steward edits).
 *
 * Per field, candidates are the sources with a non-empty value, ranked by
 *  1. form: a well-formed value beats an ill-formed one, whichever source sent it —
 *     names: written in proper case beats written in ALL CAPITALS (or all lower case);
 *     birth date: a full date beats an estimated one (1 January, 1 July, mid-June: the values
 *     registries fill in when the day is unknown), which beats year and month, which beats a year only;
 *  2. source trust (config order), 3. most recent (`receivedAt`), 4. how many sources carry the same
 *     value, 5. source key (determinism).
 * Identifiers and telecoms are unions. Phone numbers are written in E.164 (`+221678561600`), through the
 * matcher's normalisation with the deployment's default phone country, so a number sent in national
 * format by one system and international format by another appears once. Steward patches win over
 * everything.
 */
import type { ContactPoint, HumanName, Identifier, Patient, PatientLink } from 'fhir/r4';
import { parseBirthDate } from './matching/dates';
import { normalisePhone } from './matching/phone';
import type { MemberSnapshot, StoredGolden } from './store';
import { identifierKey } from '../core/types';
import { jsonClone } from '../core/json-clone';

/** What survivorship reads of each linked source (a golden record's member snapshot). */
type Contributor = Pick<MemberSnapshot, 'key' | 'id' | 'sourceSystem' | 'receivedAt' | 'patient'>;

/** Survivorship configuration. */
export interface SurvivorshipConfig {
  /** Source systems, most trusted first; unknown systems rank after all listed ones. */
  trust: string[];
  /** Identifier system of MPI IDs, added to every golden Patient. */
  mpiSystem: string;
  /** ISO 3166 country of national-format phone numbers (DEFAULT_PHONE_COUNTRY); without it they stay as written. */
  phoneCountry?: string;
}

type SingleField = 'name' | 'gender' | 'birthDate' | 'address' | 'deceasedBoolean' | 'deceasedDateTime' | 'maritalStatus' | 'multipleBirthBoolean' | 'multipleBirthInteger' | 'communication';
const SINGLE_FIELDS: SingleField[] = ['name', 'gender', 'birthDate', 'address', 'deceasedBoolean', 'deceasedDateTime', 'maritalStatus', 'multipleBirthBoolean', 'multipleBirthInteger', 'communication'];

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** Whether a name part is written in one case only (`DIOP`, `diop`); scripts without case never are. */
function singleCase(part: string): boolean {
  const upper = part.toUpperCase();
  const lower = part.toLowerCase();
  return upper !== lower && (part === upper || part === lower) && part.replace(/[^\p{L}]/gu, '').length > 1;
}

/** 1 when no family or given name is written in one case only, else 0. */
function nameForm(names: HumanName[]): number {
  const parts = names.flatMap((n) => [n.family ?? '', ...(n.given ?? [])]);
  return parts.some(singleCase) ? 0 : 1;
}

// Only the date's precision matters here; future dates are the validator's business.
const NO_UPPER_BOUND = '9999-12-31';

/** 4 full date, 3 estimated full date, 2 year and month, 1 year only, 0 unreadable. */
function dateForm(value: string): number {
  const d = parseBirthDate(value, NO_UPPER_BOUND).date;
  if (!d) return 0;
  if (d.day === undefined) return d.month === undefined ? 1 : 2;
  return d.estimated ? 3 : 4;
}

/**
 * How well-formed a field's value is (higher is better; fields without a form rule are all equal).
 * @param field - the Patient field
 * @param value - its non-empty value
 */
function formOf(field: SingleField, value: unknown): number {
  if (field === 'name') return nameForm(value as HumanName[]);
  if (field === 'birthDate') return dateForm(value as string);
  return 0;
}

function pickField(field: SingleField, sources: Contributor[], rank: (s: Contributor) => number): unknown {
  const withValue = sources.filter((s) => !isEmpty(s.patient[field]));
  if (withValue.length === 0) {
    return undefined;
  }
  const freq = new Map<string, number>();
  for (const s of withValue) {
    const k = JSON.stringify(s.patient[field]);
    freq.set(k, (freq.get(k) ?? 0) + 1);
  }
  const f = (s: Contributor): number => freq.get(JSON.stringify(s.patient[field])) ?? 0;
  const form = new Map(withValue.map((s) => [s, formOf(field, s.patient[field])]));
  const sorted = [...withValue].sort(
    (a, b) => (form.get(b) ?? 0) - (form.get(a) ?? 0) || rank(a) - rank(b) || (a.receivedAt === b.receivedAt ? 0 : a.receivedAt > b.receivedAt ? -1 : 1) || f(b) - f(a) || (a.key < b.key ? -1 : 1),
  );
  return jsonClone(sorted[0]?.patient[field]);
}

function unionBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const t of items) {
    const k = key(t);
    if (!seen.has(k)) {
      seen.set(k, t);
    }
  }
  return [...seen.values()];
}

const PHONE_SYSTEMS = new Set(['phone', 'sms', 'fax']);

/**
 * Telecoms of every source, each number once, phone numbers in E.164 where the normalisation can tell
 * the country (the first source's use, rank and period are kept).
 * @param telecoms - contact points in source order
 * @param phoneCountry - country of national-format numbers
 */
function unionTelecoms(telecoms: ContactPoint[], phoneCountry: string | undefined): ContactPoint[] {
  const written = telecoms.map((t) => {
    if (!PHONE_SYSTEMS.has(t.system ?? '') || !t.value) return t;
    const e164 = normalisePhone(t.value, phoneCountry);
    return e164.startsWith('+') ? { ...t, value: e164 } : t;
  });
  return unionBy(written, (t) => identifierKey({ system: t.system ?? '', value: t.value ?? '' }));
}

/**
 * Compute the golden Patient.
 * @param golden - the golden record (mpiId, status, steward patch, extra identifiers)
 * @param sources - its linked, active source records
 * @param cfg - trust order and MPI identifier system
 */
export function computeGoldenPatient(golden: Pick<StoredGolden, 'mpiId' | 'status' | 'mergedInto' | 'stewardPatch' | 'extraIdentifiers'>, sources: Contributor[], cfg: SurvivorshipConfig): Patient {
  const rank = (s: Contributor): number => {
    const i = cfg.trust.indexOf(s.sourceSystem);
    return i < 0 ? cfg.trust.length : i;
  };
  const patient: Patient = { resourceType: 'Patient', id: golden.mpiId };
  const mpiIdentifier: Identifier = { system: cfg.mpiSystem, value: golden.mpiId, use: 'official' };
  const identifiers = unionBy(
    [mpiIdentifier, ...golden.extraIdentifiers.map((i) => ({ system: i.system, value: i.value })), ...sources.flatMap((s) => s.patient.identifier ?? [])],
    (i) => identifierKey({ system: i.system ?? '', value: i.value ?? '' }),
  );
  patient.identifier = jsonClone(identifiers);
  patient.active = golden.status === 'active';
  const record = patient as unknown as Record<string, unknown>;
  for (const field of SINGLE_FIELDS) {
    const v = pickField(field, sources, rank);
    if (v !== undefined) {
      record[field] = v;
    }
  }
  const telecom = unionTelecoms(sources.flatMap((s) => s.patient.telecom ?? []), cfg.phoneCountry);
  if (telecom.length > 0) {
    patient.telecom = jsonClone(telecom);
  }
  const links: PatientLink[] = [...sources]
    .sort((a, b) => (a.key < b.key ? -1 : 1))
    .map((s) => ({ other: { reference: `Patient/${s.id}` }, type: 'seealso' }));
  if (golden.mergedInto) {
    links.unshift({ other: { reference: `Patient/${golden.mergedInto}` }, type: 'replaced-by' });
  }
  if (links.length > 0) {
    patient.link = links;
  }
  if (golden.stewardPatch) {
    Object.assign(record, jsonClone(golden.stewardPatch), { resourceType: 'Patient', id: golden.mpiId });
  }
  return patient;
}
