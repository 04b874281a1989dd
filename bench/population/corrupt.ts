/**
 * The corruption model: how one record of a person differs from the truth and from the person's
 * other records — typos, phonetic and transliteration spellings, dropped compound prefixes, swapped
 * name parts (Ugandan records write either order), day/month swaps and estimated dates, dropped
 * fields, phone digit swaps, identifier transpositions and re-typed programme numbers. Rates are
 * per record; the generator's own variant rules are independent of the matcher's name table.
 */
import type { Person } from './people';
import type { Rng } from './random';

/** The demographic values of one record (strings as a clerk typed them; absent = not recorded). */
export interface RecordValues {
  given?: string;
  family?: string;
  birthDate?: string;
  birthDateEstimated?: boolean;
  gender?: 'male' | 'female';
  phone?: string;
  nationalId?: string;
  otherId?: string;
  city?: string;
  state?: string;
  address?: string;
}

/** Per-source habits: how often a source records an identifier or drops a field. */
export interface SourceHabits {
  nationalId: number;
  programme: number;
  dropAddress: number;
  dropGender: number;
}

const KEYBOARD = 'AZERTYUIOPQSDFGHJKLMWXCVBN';
/** Spelling changes between French and English traditions, and common Wolof short forms. */
const SPELLINGS: ReadonlyArray<readonly [RegExp, string]> = [
  [/OU/, 'U'], [/U/, 'OU'], [/([BCDFGKLMNPRSTZ])\1/, '$1'], [/([SLN])/, '$1$1'], [/Y/, 'I'], [/I/, 'Y'],
  [/DJ/, 'J'], [/J/, 'DJ'], [/KH/, 'K'], [/PH/, 'F'], [/E$/, ''], [/([^E])$/, '$1E'], [/^H/, ''], [/C/, 'K'],
];
const SHORT_FORMS: Readonly<Record<string, string>> = {
  MAMADOU: 'MODOU', ABDOULAYE: 'ABLAYE', FATOUMATA: 'FATOU', KHADIJA: 'KHADY', MASSAMBA: 'MASS', BABACAR: 'BABA',
  MOUHAMED: 'MOHAMED', ABOUBACAR: 'BOUBACAR', MARIEME: 'MARIAMA', PROSCOVIA: 'PROSSY', IMMACULATE: 'IMMA',
};
const GAMBIAN: Readonly<Record<string, string>> = {
  DIALLO: 'JALLOW', NDIAYE: 'NJIE', DIOP: 'JOBE', CISSÉ: 'CEESAY', TOURÉ: 'TOURAY', THIAM: 'CHAM', DIOUF: 'JOOF', FALL: 'FAAL',
};

function typo(rng: Rng, s: string): string {
  if (s.length < 2) return s;
  const i = rng.int(s.length - 1);
  const kind = rng.int(4);
  const c = rng.pick(KEYBOARD.split(''));
  if (kind === 0) return s.slice(0, i) + c + s.slice(i + 1);
  if (kind === 1) return s.slice(0, i) + s.slice(i + 1);
  if (kind === 2) return s.slice(0, i) + c + s.slice(i);
  return s.slice(0, i) + s.charAt(i + 1) + s.charAt(i) + s.slice(i + 2);
}

function respell(rng: Rng, s: string): string {
  const upper = s.toUpperCase();
  const short = SHORT_FORMS[upper];
  if (short && rng.chance(0.5)) return short;
  const options = SPELLINGS.filter(([re]) => re.test(upper));
  if (options.length === 0) return s;
  const [re, to] = rng.pick(options);
  return upper.replace(re, to);
}

function casing(rng: Rng, s: string): string {
  return rng.chance(0.3) ? s.toUpperCase() : rng.chance(0.05) ? s.toLowerCase() : s;
}

function givenValue(rng: Rng, p: Person): string {
  let given = p.given;
  if (rng.chance(0.05)) given = respell(rng, given);
  if (rng.chance(0.04)) given = typo(rng, given.toUpperCase());
  // Compound prefixes and titles: some clerks write them, some do not.
  if (p.prefix && rng.chance(0.7)) given = `${p.prefix === 'El Hadji' && rng.chance(0.3) ? 'Elhadji' : p.prefix} ${given}`;
  return given;
}

function familyValue(rng: Rng, p: Person): string {
  let family = p.family;
  const upper = family.toUpperCase();
  if (GAMBIAN[upper] && rng.chance(0.04)) family = GAMBIAN[upper];
  else if (upper === 'NDIAYE' && rng.chance(0.1)) family = "N'Diaye";
  else if (rng.chance(0.03)) family = respell(rng, family);
  if (rng.chance(0.35)) family = family.normalize('NFD').replace(/\p{M}/gu, '');
  if (rng.chance(0.03)) family = typo(rng, family.toUpperCase());
  return family;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function dateValue(rng: Rng, p: Person): Pick<RecordValues, 'birthDate' | 'birthDateEstimated'> {
  let { year, month, day } = p.birth;
  if (!p.dateKnown) {
    // An age turned into a date: the year drifts, the day is 1 January or absent.
    if (rng.chance(0.3)) year += rng.pick([-1, 1]);
    return { birthDate: rng.chance(0.6) ? `${year}-01-01` : String(year), birthDateEstimated: true };
  }
  if (rng.chance(0.03) && day <= 12 && day !== month) [day, month] = [month, day];
  else if (rng.chance(0.03)) day = ((day + rng.between(1, 8) - 1) % 28) + 1;
  else if (rng.chance(0.01)) year += rng.pick([-1, 1]);
  return { birthDate: `${year}-${pad(month)}-${pad(day)}` };
}

function phoneValue(rng: Rng, p: Person): string | undefined {
  if (rng.chance(0.15)) return undefined;
  let digits = p.phone && !rng.chance(0.15) ? p.phone : p.householdPhone;
  if (rng.chance(0.03)) {
    const i = rng.between(2, digits.length - 2);
    digits = digits.slice(0, i) + digits.charAt(i + 1) + digits.charAt(i) + digits.slice(i + 2);
  }
  const groups = p.country === 'SN' ? `${digits.slice(0, 2)} ${digits.slice(2, 5)} ${digits.slice(5, 7)} ${digits.slice(7)}` : `${digits.slice(0, 3)} ${digits.slice(3)}`;
  // Ugandan numbers are always written with the country code (the registry's default country is Senegal's).
  if (p.country === 'UG') return rng.chance(0.5) ? `+256 ${groups}` : `256${digits}`;
  return rng.weighted([[groups, 40], [digits, 25], [`+221 ${groups}`, 25], [`00221${digits}`, 10]] as const);
}

function nationalIdValue(rng: Rng, p: Person, habits: SourceHabits): string | undefined {
  if (!p.nationalId || !rng.chance(habits.nationalId)) return undefined;
  const id = p.nationalId;
  const at = rng.between(2, id.length - 2);
  if (rng.chance(0.02)) return id.slice(0, at) + String((Number(id.charAt(at)) + rng.between(1, 9)) % 10) + id.slice(at + 1);
  if (rng.chance(0.01)) return id.slice(0, at) + id.charAt(at + 1) + id.charAt(at) + id.slice(at + 2);
  return id;
}

function programmeValue(rng: Rng, p: Person, habits: SourceHabits): string | undefined {
  if (!p.programmeNumber || !rng.chance(habits.programme)) return undefined;
  let v = p.programmeNumber;
  const digitAt = (): number => {
    const positions = [...v].map((c, i) => (/[0-9]/.test(c) ? i : -1)).filter((i) => i >= 0);
    return rng.pick(positions);
  };
  const retype = (): void => {
    const i = digitAt();
    v = v.slice(0, i) + String((Number(v.charAt(i)) + rng.between(1, 9)) % 10) + v.slice(i + 1);
  };
  // Typed by hand from a card: transpositions, wrong digits, sometimes two.
  if (rng.chance(0.04)) { const i = digitAt(); if (i + 1 < v.length) v = v.slice(0, i) + v.charAt(i + 1) + v.charAt(i) + v.slice(i + 2); }
  if (rng.chance(0.04)) retype();
  if (rng.chance(0.04)) { retype(); retype(); }
  if (rng.chance(0.2)) v = v.replace(/-/g, '/');
  return v;
}

function addressValue(rng: Rng, p: Person, habits: SourceHabits): string | undefined {
  if (rng.chance(habits.dropAddress)) return undefined;
  let a = p.address;
  if (rng.chance(0.15)) a = a.replace(/^Villa (\d+) (.*)$/, '$2 villa $1').replace(/^Plot (\d+) (.*)$/, '$2 plot $1');
  if (rng.chance(0.05)) a = typo(rng, a.toUpperCase());
  return a;
}

/** Options of one record's corruption. */
export interface RecordOptions {
  /** Probability that the record lacks its birth date, its phone, or both. */
  sparse: number;
  /** Whether given and family names may be written in the other order (default true). */
  swapNames?: boolean;
}

/**
 * One record's values for a person.
 * @param rng - the generator
 * @param p - the person
 * @param habits - the recording source's habits
 * @param opts - sparseness and name-order options
 * @returns the values
 */
export function recordValues(rng: Rng, p: Person, habits: SourceHabits, opts: RecordOptions): RecordValues {
  const sparse = opts.sparse;
  let given: string | undefined = casing(rng, givenValue(rng, p));
  let family: string | undefined = casing(rng, familyValue(rng, p));
  // Ugandan records write either order; elsewhere a swap is a data-entry slip.
  if (rng.chance(p.country === 'UG' ? 0.3 : 0.02) && opts.swapNames !== false) [given, family] = [family, given];
  if (rng.chance(0.01)) given = undefined;
  const v: RecordValues = { given, family, ...(rng.chance(0.04) ? {} : dateValue(rng, p)) };
  if (!rng.chance(habits.dropGender)) v.gender = rng.chance(0.003) ? (p.sex === 'male' ? 'female' : 'male') : p.sex;
  v.phone = phoneValue(rng, p);
  v.nationalId = nationalIdValue(rng, p, habits);
  v.otherId = programmeValue(rng, p, habits);
  if (!rng.chance(0.1)) v.city = p.city;
  if (!rng.chance(0.3)) v.state = p.region;
  v.address = addressValue(rng, p, habits);
  if (rng.chance(sparse)) {
    const drop = rng.int(3);
    if (drop !== 1) {
      delete v.birthDate;
      delete v.birthDateEstimated;
    }
    if (drop !== 0) delete v.phone;
  }
  return v;
}
