/**
 * Per-field comparison levels (Splink-style): each comparator maps a pair of prepared records to a
 * level index into that field's level list; index 0 is always the neutral `null` level.
 */
import { DATE_LEVELS, compareDates } from './dates';
import { jaroWinkler, jwUpperBound, withinOneEdit } from './jaro-winkler';
import { sharesGroup } from './name-table';
import type { IdPart, NameView, Prepared } from './prepare';

/** The fields the engine scores, in the order they appear in a MatchResult. */
export const FIELDS = [
  'given', 'family', 'birthDate', 'gender', 'phone', 'nationalId', 'otherId', 'postcode', 'city', 'state',
  'address', 'email',
] as const;
export type FieldName = (typeof FIELDS)[number];

/** Name levels: `alias` is the name table's (nickname, transliteration, spelling tradition). */
const NAME = ['null', 'exact', 'jw>=0.92', 'alias', 'jw>=0.88', 'phonetic', 'jw>=0.70', 'else'];
const CODE = ['null', 'exact', 'edit1', 'else'];

/** Level names per field, best agreement first after `null`. */
export const FIELD_LEVELS: Readonly<Record<FieldName, readonly string[]>> = {
  given: NAME,
  family: NAME,
  birthDate: DATE_LEVELS,
  gender: ['null', 'exact', 'else'],
  phone: CODE,
  nationalId: CODE,
  otherId: CODE,
  postcode: CODE,
  city: ['null', 'exact', 'jw>=0.88', 'else'],
  state: ['null', 'exact', 'else'],
  address: ['null', 'exact', 'tokens>=0.66', 'tokens>=0.34', 'else'],
  email: ['null', 'exact', 'jw>=0.88', 'else'],
};

function sharesCode(a: string[], b: string[]): boolean {
  for (const x of a) if (b.includes(x)) return true;
  return false;
}

/**
 * Name level (null, exact, jw≥.92, alias, jw≥.88, phonetic, jw≥.70, else).
 * @param a - first name
 * @param b - second name
 * @param aliases - whether the name table's alias groups and skeletons apply (same kind of name)
 * @returns level index
 */
export function nameLevel(a: NameView, b: NameView, aliases: boolean): number {
  if (a.key === '' || b.key === '') return 0;
  if (a.key === b.key) return 1;
  // Most candidate pairs disagree: skip Jaro when even its upper bound misses the lowest threshold.
  const jw = jwUpperBound(a.key, b.key, a.mask, b.mask) < 0.7 ? 0 : jaroWinkler(a.key, b.key);
  if (jw >= 0.92) return 2;
  if (aliases && (sharesGroup(a.aliases, b.aliases) || a.skeleton === b.skeleton)) return 3;
  if (jw >= 0.88) return 4;
  if (sharesCode(a.phonetic, b.phonetic)) return 5;
  return jw >= 0.7 ? 6 : 7;
}

function givenLevel(a: Prepared, b: Prepared): number {
  let level = nameLevel(a.givenView, b.givenView, true);
  // Several given names: a middle name recorded first, or names split differently, still agrees.
  if (level > 1 && (a.givenAll !== '' || b.givenAll !== '')) {
    const alt = nameLevel(a.givenAll ? a.givenAllView : a.givenView, b.givenAll ? b.givenAllView : b.givenView, false);
    if (alt < level) level = alt;
  }
  return level;
}

/** Cheap pre-test for a swap: both names present and each could be a near-copy of the other's crossed name. */
function swapPossible(a: Prepared, b: Prepared): boolean {
  const ag = a.givenView;
  const af = a.familyView;
  const bg = b.givenView;
  const bf = b.familyView;
  return ag.key !== '' && af.key !== '' && bg.key !== '' && bf.key !== '' &&
    jwUpperBound(ag.key, bf.key, ag.mask, bf.mask) >= 0.88 && jwUpperBound(af.key, bg.key, af.mask, bg.mask) >= 0.88;
}

/**
 * Given and family levels, trying the swapped order (given↔family) when the direct order agrees
 * poorly and the swapped one agrees on both names at least as a typo would (Ugandan records write
 * either order, and a swapped record is mistyped as often as any other).
 * @param a - first record
 * @param b - second record
 * @param out - receives [given level, family level]
 */
export function nameLevels(a: Prepared, b: Prepared, out: Int32Array): void {
  const g = givenLevel(a, b);
  const f = nameLevel(a.familyView, b.familyView, true);
  out[0] = g;
  out[1] = f;
  if ((g > 2 || f > 2) && swapPossible(a, b)) {
    const sg = nameLevel(a.givenView, b.familyView, false);
    const sf = nameLevel(a.familyView, b.givenView, false);
    if (sg <= 4 && sf <= 4 && sg + sf < g + f) {
      out[0] = sg;
      out[1] = sf;
    }
  }
}

/**
 * Code level (null, exact, edit1, else) for lists of values: the best pair wins.
 * @param a - values of the first record
 * @param b - values of the second record
 * @returns level index
 */
export function codeListLevel(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let best = 3;
  for (const x of a) {
    for (const y of b) {
      if (x === y) return 1;
      if (best > 2 && withinOneEdit(x, y)) best = 2;
    }
  }
  return best;
}

/**
 * Identifier level (null, exact, edit1, else) over identifiers of the same system only: identifiers
 * of different systems say nothing about each other.
 * @param a - identifiers of the first record
 * @param b - identifiers of the second record
 * @returns level index
 */
export function idLevel(a: IdPart[], b: IdPart[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let best = 0;
  for (const x of a) {
    for (const y of b) {
      if (x.system !== y.system) continue;
      if (x.value === y.value) return 1;
      const l = withinOneEdit(x.value, y.value) ? 2 : 3;
      if (best === 0 || l < best) best = l;
    }
  }
  return best;
}

/**
 * Level of a simple string field with JW thresholds, e.g. [0.92, 0.80] → null, exact, ≥.92, ≥.80, else.
 * @param a - first value
 * @param b - second value
 * @param thresholds - descending JW thresholds
 * @returns level index
 */
export function textLevel(a: string, b: string, thresholds: readonly number[]): number {
  if (a === '' || b === '') return 0;
  if (a === b) return 1;
  if (thresholds.length === 0) return 2;
  const jw = jaroWinkler(a, b);
  for (let i = 0; i < thresholds.length; i++) if (jw >= (thresholds[i] as number)) return i + 2;
  return thresholds.length + 2;
}

/**
 * Every field's level for a pair, written into `out` in FIELDS order.
 * @param a - first record
 * @param b - second record
 * @param out - Int32Array of length FIELDS.length
 */
export function fieldLevels(a: Prepared, b: Prepared, out: Int32Array): void {
  nameLevels(a, b, out);
  out[2] = compareDates(a.dob, b.dob, a.dobEstimated || b.dobEstimated);
  out[3] = a.sex === 0 || b.sex === 0 ? 0 : a.sex === b.sex ? 1 : 2;
  out[4] = codeListLevel(a.phones, b.phones);
  out[5] = idLevel(a.nationalIds, b.nationalIds);
  out[6] = idLevel(a.otherIds, b.otherIds);
  out[7] = a.postcode === '' || b.postcode === '' ? 0 : a.postcode === b.postcode ? 1 : withinOneEdit(a.postcode, b.postcode) ? 2 : 3;
  out[8] = cityLevel(a, b);
  // A town lies in one state: when the towns agree, so do the states, and that says nothing more.
  out[9] = out[8] === 1 ? 0 : textLevel(a.state, b.state, []);
  out[10] = tokenLevel(a.address, b.address, a.addressTokens, b.addressTokens);
  out[11] = a.emails.length === 0 || b.emails.length === 0 ? 0 : codeListLevel(a.emails, b.emails) === 1 ? 1 : emailNear(a.emails, b.emails) ? 2 : 3;
}

function cityLevel(a: Prepared, b: Prepared): number {
  if (a.city === '' || b.city === '') return 0;
  if (a.city === b.city) return 1;
  return jwUpperBound(a.city, b.city, a.cityMask, b.cityMask) >= 0.88 && jaroWinkler(a.city, b.city) >= 0.88 ? 2 : 3;
}

/**
 * Token-overlap level (Dice coefficient over distinct tokens) for free text such as address lines:
 * word order and one corrupted word matter little, and it costs a merge of two sorted arrays.
 * @param a - first text
 * @param b - second text
 * @param ta - sorted token hashes of a
 * @param tb - sorted token hashes of b
 * @returns level index (null, exact, ≥0.66, ≥0.34, else)
 */
export function tokenLevel(a: string, b: string, ta: Int32Array, tb: Int32Array): number {
  if (a === '' || b === '') return 0;
  if (a === b) return 1;
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < ta.length && j < tb.length) {
    const x = ta[i] as number;
    const y = tb[j] as number;
    if (x === y) { common++; i++; j++; } else if (x < y) i++; else j++;
  }
  const dice = (2 * common) / (ta.length + tb.length);
  return dice >= 0.66 ? 2 : dice >= 0.34 ? 3 : 4;
}

function emailNear(a: string[], b: string[]): boolean {
  for (const x of a) for (const y of b) if (jaroWinkler(x, y) >= 0.88) return true;
  return false;
}
