/**
 * Blocking keys: a union of narrow keys (matching.md §8). Identifier and phone keys are O(1)
 * lookups; name/date keys combine a phonetic code with a date part so that each block stays small
 * while a typo in any one field still leaves another key in common.
 *
 * Over-full blocks. Keys are narrow, but heaped values (a common name born in a common year, a
 * shared clinic phone) still grow with the registry. A store should:
 *  1. never read more than MAX_BLOCK records for one key (log and count the capped lookup, never
 *     turn it into "no match" — the other keys usually still find the record);
 *  2. file each record under its refined keys too (`refinedBlockingKeys`: given initial, sex and
 *     birth month appended) and, for a key whose block holds more than REFINE_AT records, read the
 *     probe's refined block instead, so the cost per lookup stays flat as blocks grow.
 */
import type { MatchFeatures } from './contract';
import { prepare } from './prepare';
import type { Prepared } from './prepare';

/** Hard cap on records read from one block. */
export const MAX_BLOCK = 500;
/** Block size above which a store should switch to the refined key. */
export const REFINE_AT = 64;

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function pairKey(g: string, f: string): string {
  return g < f ? `${g}+${f}` : `${f}+${g}`;
}

function nameKeys(gs: string[], fs: string[], year: number | undefined, estimated: boolean, out: Set<string>): void {
  // Order-independent pair of codes: covers the swapped-names case with one key.
  for (const g of gs) for (const f of fs) out.add(`nm:${pairKey(g, f)}`);
  if (year === undefined) return;
  if (estimated) {
    // Heaped dates: a year key needs both names to stay narrow.
    for (const g of gs) for (const f of fs) out.add(`ey:${year}:${g}+${f}`);
    return;
  }
  for (const f of fs) out.add(`fy:${f}:${year}`);
  for (const g of gs) out.add(`gy:${g}:${year}`);
}

function prefixKeys(p: Prepared, year: number | undefined, estimated: boolean, out: Set<string>): void {
  // First three letters of each name with the birth year: a typo that changes the phonetic code
  // (an early consonant, a dropped letter) usually leaves the prefix intact. One namespace for both
  // names, so swapped given/family names still share the key.
  if (year === undefined || estimated) return;
  if (p.given.length >= 3) out.add(`np:${p.given.slice(0, 3)}:${year}`);
  if (p.family.length >= 3) out.add(`np:${p.family.slice(0, 3)}:${year}`);
}

function placeKeys(f: MatchFeatures, g: string | undefined, fam: string | undefined, out: Set<string>): void {
  // Postcode or city with one phonetic name code: catches pairs whose birth date is missing or
  // mistyped. In a big town a common name makes a large block: the store then reads its refined
  // block (REFINE_AT), and training skips blocks above its cap.
  for (const place of [f.postcode, f.city?.replace(/ /g, '')]) {
    if (!place) continue;
    // One namespace for both names, so swapped given/family names still share the key.
    if (fam) out.add(`pn:${place}:${fam}`);
    if (g) out.add(`pn:${place}:${g}`);
  }
}

/**
 * Street-type and filler words: too common to block on, and often run into the street name
 * ("SMITHSTREET"), so they are also stripped as a suffix.
 */
const ADDRESS_FILLERS = [
  'STREET', 'ROAD', 'AVENUE', 'PLACE', 'CRESCENT', 'COURT', 'DRIVE', 'CLOSE', 'LANE', 'CIRCUIT', 'PARADE',
  'TERRACE', 'HIGHWAY', 'GROVE', 'BOULEVARD', 'SQUARE', 'VILLAGE', 'VLGE', 'ESTATE', 'UNIT', 'FLAT',
  'APARTMENT', 'BLOCK', 'HOUSE', 'PLOT', 'VILLA', 'STATION', 'RETRMNT', 'HOME', 'ZONE', 'QUARTIER', 'CITE',
  'MAISON', 'IMMEUBLE', 'APPARTEMENT', 'ROUTE', 'CARRE', 'CELL', 'PARISH', 'TRADING', 'CENTRE',
];
const FILLER_SET = new Set(ADDRESS_FILLERS);
/** Distinctive address words used per record (each makes up to two keys). */
const ADDRESS_WORDS = 2;
const DIGITS = /[0-9]/;

function stripFiller(word: string): string {
  for (const w of ADDRESS_FILLERS) if (word.length > w.length + 3 && word.endsWith(w)) return word.slice(0, word.length - w.length);
  return word;
}

/**
 * Distinctive words of an address line: letters only, at least 4 characters, not a street type,
 * longest first (ties alphabetical), at most ADDRESS_WORDS.
 * @param address - normalised address line
 * @returns the words
 */
export function addressWords(address: string): string[] {
  const words = new Set<string>();
  for (const t of address.split(' ')) {
    if (t.length < 4 || DIGITS.test(t) || FILLER_SET.has(t)) continue;
    words.add(stripFiller(t));
  }
  return [...words].sort((a, b) => b.length - a.length || (a < b ? -1 : a > b ? 1 : 0)).slice(0, ADDRESS_WORDS);
}

function addressKeys(f: MatchFeatures, out: Set<string>): void {
  // Street name with house number, or with postcode: catches pairs whose names and birth date are
  // all corrupted (or missing) but who live at the same address.
  if (!f.address) return;
  const house = f.address.split(' ').find((t) => /^[0-9]+$/.test(t));
  for (const w of addressWords(f.address)) {
    if (house) out.add(`ah:${w}:${house}`);
    if (f.postcode) out.add(`ap:${w}:${f.postcode}`);
  }
}

function dateKeys(f: MatchFeatures, out: Set<string>): void {
  const d = f.birthDate;
  if (!d || d.estimated || d.month === undefined || d.day === undefined) return;
  out.add(`dob:${d.year}${pad(d.month)}${pad(d.day)}`);
  // Day/month written the other way round: index under the swapped date as well.
  if (d.day <= 12 && d.day !== d.month) out.add(`dob:${d.year}${pad(d.day)}${pad(d.month)}`);
}

/**
 * The blocking keys of a record: identifiers, phones, e-mails, birth date (and its day/month swap),
 * phonetic name codes combined with birth year, with each other, or with postcode/city, and
 * distinctive address words with the house number or postcode. Names are read as the comparators
 * read them (prepare.ts: titles and compound prefixes set aside); a name in one of the name table's
 * alias groups is also filed under the group's canonical name. At most 3 phone, 3 e-mail and the
 * identifier keys, plus up to 2 date, 3 name/year (more for aliases), 2 prefix/year, 4 place and 4
 * address keys.
 * @param f - the record's features
 * @returns distinct keys, e.g. `id:urn:x|123`, `ph:+256772123456`, `dob:19800101`, `fy:SM0:1980`
 */
export function blockingKeys(f: MatchFeatures): string[] {
  const out = new Set<string>();
  for (const id of f.nationalIds ?? []) out.add(`id:${id}`);
  for (const id of f.otherIds ?? []) out.add(`id:${id}`);
  for (const p of (f.phones ?? []).slice(0, 3)) out.add(`ph:${p}`);
  for (const e of (f.emails ?? []).slice(0, 3)) out.add(`em:${e}`);
  const d = f.birthDate;
  const estimated = d !== undefined && (d.estimated === true || d.day === undefined);
  // Names as compared: titles and compound prefixes set aside, aliases also under their canonical name.
  const p = prepare(f);
  const gs = p.givenView.blockCodes;
  const fs = p.familyView.blockCodes;
  dateKeys(f, out);
  nameKeys(gs, fs, d?.year, estimated, out);
  prefixKeys(p, d?.year, estimated, out);
  placeKeys(f, gs[0], fs[0], out);
  addressKeys(f, out);
  return [...out];
}

/**
 * Refined variants of the name/date keys (given initial, sex and birth month appended) for stores
 * that split over-full blocks; identifier and phone keys are returned unchanged.
 * @param f - the record's features
 * @returns keys in the same order as blockingKeys
 */
export function refinedBlockingKeys(f: MatchFeatures): string[] {
  const suffix = `/${prepare(f).given.charAt(0)}${f.gender?.charAt(0) ?? ''}${f.birthDate?.month ?? ''}`;
  return blockingKeys(f).map((k) => (k.startsWith('id:') || k.startsWith('ph:') || k.startsWith('em:') ? k : k + suffix));
}
