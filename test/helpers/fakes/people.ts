/**
 * Generated people for the upstream fakes, the demo and the benchmarks: Sierra Leonean names (the
 * DHIS2 demo database's country), birth dates over 80 years, national IDs and phone numbers, all from
 * a seeded PRNG so every run sees the same people. `variant` gives the same person as another
 * clerk typed them (a dropped letter, a swapped day and month, a missing phone), which is how
 * duplicates between systems look.
 */
import { mulberry32 } from '../../../src/registry/matching';

const GIVEN_F = ['Fatmata', 'Aminata', 'Isatu', 'Mariama', 'Kadiatu', 'Hawa', 'Zainab', 'Adama', 'Memunatu', 'Christiana', 'Jenneh', 'Yeabu', 'Salamatu', 'Mabinty', 'Ramatu', 'Hannah', 'Agnes', 'Elizabeth', 'Marie', 'Fanta'];
const GIVEN_M = ['Mohamed', 'Ibrahim', 'Abdul', 'Alusine', 'Foday', 'Sorie', 'Musa', 'Alhaji', 'Santigie', 'Osman', 'Joseph', 'Abu', 'Amadu', 'Emmanuel', 'Sahr', 'Tamba', 'Komba', 'Lansana', 'Brima', 'Samuel'];
const FAMILY = ['Kamara', 'Conteh', 'Sesay', 'Bangura', 'Koroma', 'Turay', 'Kargbo', 'Jalloh', 'Mansaray', 'Fofanah', 'Kanu', 'Barrie', 'Bah', 'Kallon', 'Sankoh', 'Dumbuya', 'Tarawally', 'Kabia', 'Koker', 'Lahai', 'Massaquoi', 'Sillah', 'Suma', 'Yillah', 'Fullah', 'Kpaka', 'Musa', 'Swaray', 'Tucker', 'Williams'];
const CITIES = ['Freetown', 'Bo', 'Kenema', 'Makeni', 'Koidu', 'Port Loko', 'Kabala', 'Kailahun', 'Moyamba', 'Bonthe'];

/** One generated person. */
export interface Person {
  index: number;
  given: string;
  family: string;
  sex: 'male' | 'female';
  /** YYYY-MM-DD */
  birthDate: string;
  nationalId: string;
  /** National format, as clerks type it (`076 123456`). */
  phone?: string;
  city: string;
}

/**
 * One item of a list, drawn with a seeded generator.
 * @param list - the choices
 * @param rand - the generator
 */
export function pick<T>(list: readonly T[], rand: () => number): T {
  return list[Math.floor(rand() * list.length)] as T;
}

/**
 * A number of `n` digits, the first not zero, drawn with a seeded generator.
 * @param n - how many digits
 * @param rand - the generator
 */
export function digits(n: number, rand: () => number): string {
  let s = String(1 + Math.floor(rand() * 9));
  while (s.length < n) s += String(Math.floor(rand() * 10));
  return s;
}

/**
 * The i-th person of a seeded population.
 * @param i - index
 * @param seed - population seed
 */
export function person(i: number, seed = 14): Person {
  const rand = mulberry32((seed * 2_654_435_761 + i * 40_503) >>> 0);
  const sex = rand() < 0.5 ? 'female' : 'male';
  const birth = new Date(Date.UTC(1940, 0, 1) + Math.floor(rand() * 80 * 365.25) * 86_400_000).toISOString().slice(0, 10);
  return {
    index: i, sex, birthDate: birth, city: pick(CITIES, rand),
    given: pick(sex === 'female' ? GIVEN_F : GIVEN_M, rand),
    family: pick(FAMILY, rand),
    nationalId: `SL${digits(9, rand)}`,
    ...(rand() < 0.8 ? { phone: `0${pick(['76', '77', '78', '30', '33', '88'], rand)} ${digits(6, rand)}` } : {}),
  };
}

/**
 * The same person as another system recorded them: sometimes a typo in the given name, a day and
 * month swapped in the birth date, or no phone; never a different national ID.
 * @param p - the person
 * @param salt - which system (varies the changes)
 */
export function variant(p: Person, salt: number): Person {
  const rand = mulberry32((p.index * 7919 + salt * 104_729) >>> 0);
  const out: Person = { ...p };
  const r = rand();
  if (r < 0.15 && out.given.length > 4) out.given = out.given.slice(0, 2) + out.given.slice(3);
  else if (r < 0.25) {
    const [y, m, d] = out.birthDate.split('-');
    if (Number(d) <= 12 && d !== m) out.birthDate = `${y}-${d}-${m}`;
  } else if (r < 0.35) delete out.phone;
  if (rand() < 0.1) out.family = out.family.toUpperCase();
  return out;
}

/**
 * A deterministic 11-character DHIS2 UID (a letter first) for a number.
 * @param n - any integer
 * @param prefix - one letter
 */
export function uidOf(n: number, prefix = 'T'): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const rand = mulberry32((n * 2_246_822_519) >>> 0);
  let s = prefix;
  while (s.length < 11) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

/**
 * A deterministic UUID (v4 layout) for a number and a namespace.
 * @param n - any integer
 * @param ns - namespace number
 */
export function uuidOf(n: number, ns = 1): string {
  const rand = mulberry32((n * 3_266_489_917 + ns * 668_265_263) >>> 0);
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
