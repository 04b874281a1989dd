/**
 * FHIR Patient → MatchFeatures. Never throws: anything unreadable is dropped and the reason kept in
 * `rejected`, because a registry must register nameless or dateless legacy records too.
 */
import type { Address, HumanName, Identifier, Patient } from 'fhir/r4';
import { doubleMetaphone } from 'double-metaphone';
import type { ExtractOptions, MatchFeatures } from './contract';
import { parseBirthDate } from './dates';
import { nameKey, normaliseCode, normaliseEmail, normaliseFamily, normaliseGiven, normaliseText } from './normalise';
import { normalisePhone } from './phone';

/** Identifier type codes (HL7 v2-0203) that mark a national id. */
const NATIONAL_TYPES = new Set(['NI', 'SB', 'NN', 'NNxxx']);
/** Identifier type codes that identify a person across sources (passport, driver, health plan). */
const PERSON_TYPES = new Set(['PPN', 'DL', 'NH', 'NP', 'CZ', 'HC']);
const NATIONAL_SYSTEM = /nin|national|nid|ssn/i;
const MAX_VALUES = 10;

/**
 * Double Metaphone codes of a name key, distinct, primary first.
 * @param key - a normalised name without spaces
 * @returns 0–2 codes
 */
export function phonetic(key: string): string[] {
  if (key === '') return [];
  const [p, a] = doubleMetaphone(key.slice(0, 40));
  if (p === '') return a === '' ? [] : [a];
  return a === '' || a === p ? [p] : [p, a];
}

function pickName(names: HumanName[] | undefined): HumanName | undefined {
  if (!Array.isArray(names) || names.length === 0) return undefined;
  return names.find((n) => n?.use === 'official') ?? names.find((n) => n?.use === 'usual') ??
    names.find((n) => n?.use !== 'old' && n?.use !== 'maiden') ?? names[0];
}

function readNames(patient: Patient): { given: string[]; family: string[] } {
  const name = pickName(patient.name);
  if (!name) return { given: [], family: [] };
  let given = (Array.isArray(name.given) ? name.given : []).slice(0, MAX_VALUES).map(normaliseGiven).filter(Boolean);
  let family = normaliseFamily(name.family);
  if (given.length === 0 && family.length === 0 && typeof name.text === 'string') {
    // Only free text: the last token is taken as the family name, the rest as given names.
    const tokens = normaliseGiven(name.text).split(' ').filter(Boolean);
    family = tokens.slice(-1);
    given = tokens.length > 1 ? [tokens.slice(0, -1).join(' ')] : [];
  }
  return { given, family };
}

function typeCodes(id: Identifier): string[] {
  return (id.type?.coding ?? []).map((c) => c?.code ?? '').filter(Boolean);
}

function classifyIdentifier(id: Identifier, opts: ExtractOptions): 'national' | 'person' | 'local' {
  const system = id.system ?? '';
  if (opts.ownKeySystems?.includes(system)) return 'local';
  const codes = typeCodes(id);
  if (opts.nationalIdSystems) {
    if (opts.nationalIdSystems.includes(system)) return 'national';
  } else if (NATIONAL_SYSTEM.test(system) || codes.some((c) => NATIONAL_TYPES.has(c))) {
    return 'national';
  }
  if (opts.personIdSystems?.includes(system) || id.use === 'official' || codes.some((c) => PERSON_TYPES.has(c))) {
    return 'person';
  }
  return 'local';
}

function readIdentifiers(patient: Patient, opts: ExtractOptions): Pick<MatchFeatures, 'nationalIds' | 'otherIds' | 'localIds'> {
  const out = { nationalIds: [] as string[], otherIds: [] as string[], localIds: [] as string[] };
  for (const id of (patient.identifier ?? []).slice(0, 50)) {
    const value = normaliseCode(id?.value);
    if (!id || value === '' || id.use === 'old') continue;
    const key = `${id.system ?? ''}|${value}`;
    const kind = classifyIdentifier(id, opts);
    const list = kind === 'national' ? out.nationalIds : kind === 'person' ? out.otherIds : out.localIds;
    if (!list.includes(key)) list.push(key);
  }
  return out;
}

function readTelecom(patient: Patient, country: string | undefined): { phones: string[]; emails: string[] } {
  const phones: string[] = [];
  const emails: string[] = [];
  for (const t of (patient.telecom ?? []).slice(0, 20)) {
    if (t?.system === 'email') {
      const e = normaliseEmail(t.value);
      if (e && !emails.includes(e)) emails.push(e);
    } else if (t?.system === 'phone' || t?.system === 'sms' || t?.system === undefined) {
      const p = normalisePhone(t?.value, country);
      if (p && !phones.includes(p)) phones.push(p);
    }
  }
  return { phones, emails };
}

function readAddress(patient: Patient): Pick<MatchFeatures, 'postcode' | 'city' | 'state' | 'address'> {
  const list = patient.address ?? [];
  const a: Address | undefined = list.find((x) => x?.use === 'home') ?? list[0];
  if (!a) return {};
  const out: Pick<MatchFeatures, 'postcode' | 'city' | 'state' | 'address'> = {};
  const postcode = normaliseCode(a.postalCode);
  const city = normaliseText(a.city, 60);
  const state = normaliseText(a.state ?? a.district, 60);
  const line = normaliseText((a.line ?? []).slice(0, 5).join(' '));
  if (postcode) out.postcode = postcode;
  if (city) out.city = city;
  if (state) out.state = state;
  if (line) out.address = line;
  return out;
}

function readGender(value: unknown): MatchFeatures['gender'] {
  return value === 'male' || value === 'female' || value === 'other' ? value : undefined;
}

/**
 * Normalise a FHIR Patient into matching features.
 * @param patient - a FHIR R4 Patient (may be partial or malformed)
 * @param opts - country, identifier classification and clock options
 * @returns the features; rejected values are listed in `rejected`
 */
export function extractFeatures(patient: Patient, opts: ExtractOptions = {}): MatchFeatures {
  const p: Patient = patient && typeof patient === 'object' ? patient : ({ resourceType: 'Patient' });
  const rejected: string[] = [];
  const { given, family } = readNames(p);
  const parsed = parseBirthDate(p.birthDate, opts.today ?? new Date().toISOString());
  if (parsed.rejected) rejected.push(parsed.rejected);
  const telecom = readTelecom(p, opts.defaultCountry);
  const features: MatchFeatures = {
    given,
    family,
    givenPhonetic: phonetic(nameKey(given[0] ?? '')),
    familyPhonetic: phonetic(nameKey(family)),
    phones: telecom.phones,
    ...readIdentifiers(p, opts),
    ...readAddress(p),
    rejected,
  };
  if (telecom.emails.length > 0) features.emails = telecom.emails;
  if (parsed.date) features.birthDate = parsed.date;
  const gender = readGender(p.gender);
  if (gender) features.gender = gender;
  return features;
}
