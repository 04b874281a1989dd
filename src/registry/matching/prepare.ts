/**
 * Comparison-ready projections of MatchFeatures, computed once per features object and cached by
 * object identity (a non-enumerable symbol slot, or a WeakMap for frozen objects): stored features
 * are treated as immutable, so the cache never goes stale and the scoring loop does no string
 * building or parsing. Callers that mutate a features object must pass a new object instead.
 */
import type { MatchFeatures } from './contract';
import { packDate } from './dates';
import { charMask } from './jaro-winkler';
import { hasNicknames } from './nicknames';
import { nameKey } from './normalise';

/** An identifier split into its system and value. */
export interface IdPart {
  system: string;
  value: string;
  key: string;
}

/** The projection the comparators read. */
export interface Prepared {
  /** First given name without spaces. */
  given: string;
  /** All given names joined without spaces ('' when there is only one). */
  givenAll: string;
  givenPhonetic: string[];
  family: string;
  familyPhonetic: string[];
  /** Packed birth date (y*10000+m*100+d), 0 when unknown. */
  dob: number;
  /** Partial or estimated birth date: compared at year level only. */
  dobEstimated: boolean;
  /** 0 unknown, 1 male, 2 female, 3 other. */
  sex: number;
  phones: string[];
  nationalIds: IdPart[];
  otherIds: IdPart[];
  localIds: string[];
  emails: string[];
  postcode: string;
  city: string;
  state: string;
  address: string;
  /** Character-class masks (charMask) of given, givenAll, family and city for the JW upper bound. */
  givenMask: number;
  givenAllMask: number;
  familyMask: number;
  cityMask: number;
  /** Sorted 32-bit hashes of the address tokens. */
  addressTokens: Int32Array;
  /** Whether `given` appears in the nickname table. */
  givenNick: boolean;
  /** Scoring cache: the compiled model the term frequencies below were read from. */
  tfModel: unknown;
  /** Term frequency of `given` / `family` under tfModel, -1 when not yet read. */
  tfGiven: number;
  tfFamily: number;
}

const cache = new WeakMap<MatchFeatures, Prepared>();
/** Non-enumerable slot on the features object: faster than a WeakMap and invisible to JSON/BSON. */
const SLOT = Symbol('passerelle.prepared');
type Slotted = MatchFeatures & { [SLOT]?: Prepared };
/** Interned identifier systems, so comparing systems is a pointer comparison. */
const systems = new Map<string, string>();

function intern(system: string): string {
  const known = systems.get(system);
  if (known !== undefined) return known;
  if (systems.size < 10000) systems.set(system, system);
  return system;
}
const SEX: Record<string, number> = { male: 1, female: 2, other: 3 };

function splitIds(ids: string[] | undefined): IdPart[] {
  if (!Array.isArray(ids)) return [];
  return ids.map((key) => {
    const bar = key.lastIndexOf('|');
    return { system: intern(bar < 0 ? '' : key.slice(0, bar)), value: bar < 0 ? key : key.slice(bar + 1), key };
  });
}

function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

function tokenHashes(text: string): Int32Array {
  if (text === '') return new Int32Array(0);
  return Int32Array.from(new Set(text.split(' ').filter(Boolean).map(hash32))).sort();
}

function build(f: MatchFeatures): Prepared {
  const given = Array.isArray(f.given) ? f.given : [];
  const first = nameKey(given[0] ?? '');
  const all = given.length > 1 ? nameKey(given.join('')) : '';
  const d = f.birthDate;
  const family = nameKey(Array.isArray(f.family) ? f.family : []);
  return {
    given: first,
    givenAll: all,
    givenMask: charMask(first),
    givenAllMask: charMask(all),
    familyMask: charMask(family),
    cityMask: charMask(f.city ?? ''),
    addressTokens: tokenHashes(f.address ?? ''),
    givenNick: hasNicknames(first),
    givenPhonetic: f.givenPhonetic ?? [],
    family,
    familyPhonetic: f.familyPhonetic ?? [],
    dob: packDate(d),
    dobEstimated: d !== undefined && (d.estimated === true || d.month === undefined || d.day === undefined),
    sex: SEX[f.gender ?? ''] ?? 0,
    phones: f.phones ?? [],
    nationalIds: splitIds(f.nationalIds),
    otherIds: splitIds(f.otherIds),
    localIds: f.localIds ?? [],
    emails: f.emails ?? [],
    postcode: f.postcode ?? '',
    city: f.city ?? '',
    state: f.state ?? '',
    address: f.address ?? '',
    tfModel: undefined,
    tfGiven: -1,
    tfFamily: -1,
  };
}

/**
 * The comparison projection of a features object, cached by identity.
 * @param f - features (treated as immutable)
 * @returns the cached or newly built projection
 */
export function prepare(f: MatchFeatures): Prepared {
  // A probe is compared with many candidates in a row: a one-entry cache catches most calls.
  if (f === lastFeatures) return lastPrepared as Prepared;
  const p = lookup(f);
  lastFeatures = f;
  lastPrepared = p;
  return p;
}

let lastFeatures: MatchFeatures | undefined;
let lastPrepared: Prepared | undefined;

function lookup(f: MatchFeatures): Prepared {
  const slotted = (f as Slotted)[SLOT];
  if (slotted !== undefined) return slotted;
  let p = cache.get(f);
  if (p !== undefined) return p;
  p = build(f);
  if (Object.isExtensible(f)) Object.defineProperty(f, SLOT, { value: p, enumerable: false });
  else cache.set(f, p);
  return p;
}
