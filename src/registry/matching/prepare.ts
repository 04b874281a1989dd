/**
 * Comparison-ready projections of MatchFeatures, computed once per features object and cached by
 * object identity (a non-enumerable symbol slot, or a WeakMap for frozen objects): stored features
 * are treated as immutable, so the cache never goes stale and the scoring loop does no string
 * building or parsing. Callers that mutate a features object must pass a new object instead.
 */
import { checkDigitMask } from './check-digits';
import type { MatchFeatures } from './contract';
import { packDate } from './dates';
import { phonetic } from './features';
import { charMask } from './jaro-winkler';
import { activeNameTable, leadingSetAside, nameTableGeneration, skeleton } from './name-table';
import type { NameTable } from './name-table';
import { nameKey } from './normalise';

/** An identifier split into its system and value. */
export interface IdPart {
  system: string;
  value: string;
  key: string;
  /** Check-digit algorithms the value passes (checkDigitMask). */
  checks: number;
}

/** One name as the comparators see it. */
export interface NameView {
  /** The name without spaces ('' when missing). */
  key: string;
  /** Double Metaphone codes of the key. */
  phonetic: string[];
  /** charMask(key), for the Jaro-Winkler upper bound. */
  mask: number;
  /** Alias groups of the name table holding the key, or null. */
  aliases: number[] | null;
  /** Transliteration skeleton of the key (name table rewrites). */
  skeleton: string;
  /** Phonetic codes blocking files the name under: its own, then its alias groups' canonical names'. */
  blockCodes: string[];
}

/** The projection the comparators read. */
export interface Prepared {
  /** The given name compared: the first one, titles and compound prefixes set aside, without spaces. */
  given: string;
  /** All given names joined without spaces ('' when there is only one). */
  givenAll: string;
  family: string;
  givenView: NameView;
  givenAllView: NameView;
  familyView: NameView;
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
  /** Character-class mask (charMask) of city for the JW upper bound. */
  cityMask: number;
  /** Sorted 32-bit hashes of the address tokens. */
  addressTokens: Int32Array;
  /** Scoring cache: the compiled model the term frequencies below were read from. */
  tfModel: unknown;
  /** Term frequency of `given` / `family` under tfModel, -1 when not yet read. */
  tfGiven: number;
  tfFamily: number;
  /** Name-table generation this projection was built under. */
  tableGeneration: number;
  /** Orientation cache (orientation.ts): the name tables last used, and the record as oriented by them. */
  orientedFor: unknown;
  oriented: Prepared | undefined;
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
    const value = bar < 0 ? key : key.slice(bar + 1);
    return { system: intern(bar < 0 ? '' : key.slice(0, bar)), value, key, checks: checkDigitMask(value) };
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

function view(key: string, codes: string[] | undefined, index: Map<string, number[]>, table: NameTable): NameView {
  const own = codes ?? phonetic(key);
  const aliases = index.get(key) ?? null;
  const blockCodes = own.slice(0, 1);
  // An alias ("MUHAMMAD" for "MAMADOU") is also filed under its group's canonical name, so the
  // variants meet in blocking even when their own codes differ (MHMT / MMT).
  for (const g of (aliases ?? []).slice(0, 2)) {
    const c = phonetic(table.canonical[g] ?? '')[0];
    if (c !== undefined && !blockCodes.includes(c)) blockCodes.push(c);
  }
  return { key, phonetic: own, mask: charMask(key), aliases, skeleton: skeleton(key, table), blockCodes };
}

/**
 * The given names compared: leading titles and compound prefixes set aside while a name follows;
 * the first remaining given-name entry is the name, all remaining entries joined the alternative.
 */
function givenKeys(given: string[], table: NameTable): { first: string; all: string } {
  const tokens: string[] = [];
  const entry: number[] = [];
  given.forEach((g, i) => {
    for (const t of g.split(' ')) if (t !== '') { tokens.push(t); entry.push(i); }
  });
  const start = leadingSetAside(tokens, table);
  const firstEntry = entry[start];
  const first = tokens.filter((_, i) => i >= start && entry[i] === firstEntry).join('');
  const entries = new Set(entry.slice(start));
  return { first, all: entries.size > 1 ? tokens.slice(start).join('') : '' };
}

function build(f: MatchFeatures): Prepared {
  const table = activeNameTable();
  const { first, all } = givenKeys(Array.isArray(f.given) ? f.given : [], table);
  // A swapped record carries the given name, and its title or prefix, in the family field.
  const familyTokens = Array.isArray(f.family) ? f.family : [];
  const family = nameKey(familyTokens.slice(leadingSetAside(familyTokens, table)));
  // Stored phonetic codes are reused when the compared name is the stored first given name.
  const givenCodes = first === nameKey(f.given?.[0] ?? '') ? f.givenPhonetic : undefined;
  const d = f.birthDate;
  return {
    given: first,
    givenAll: all,
    family,
    givenView: view(first, givenCodes, table.given, table),
    givenAllView: view(all, undefined, table.given, table),
    familyView: view(family, family === nameKey(familyTokens) ? f.familyPhonetic : undefined, table.family, table),
    cityMask: charMask(f.city ?? ''),
    addressTokens: tokenHashes(f.address ?? ''),
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
    tableGeneration: nameTableGeneration(),
    orientedFor: undefined,
    oriented: undefined,
  };
}

/**
 * The comparison projection of a features object, cached by identity.
 * @param f - features (treated as immutable)
 * @returns the cached or newly built projection
 */
export function prepare(f: MatchFeatures): Prepared {
  // A probe is compared with many candidates in a row: a one-entry cache catches most calls.
  if (f === lastFeatures && lastPrepared?.tableGeneration === nameTableGeneration()) return lastPrepared;
  const p = lookup(f);
  lastFeatures = f;
  lastPrepared = p;
  return p;
}

let lastFeatures: MatchFeatures | undefined;
let lastPrepared: Prepared | undefined;

function lookup(f: MatchFeatures): Prepared {
  const generation = nameTableGeneration();
  const slotted = (f as Slotted)[SLOT];
  if (slotted !== undefined && slotted.tableGeneration === generation) return slotted;
  let p = cache.get(f);
  if (p !== undefined && p.tableGeneration === generation) return p;
  p = build(f);
  if (slotted !== undefined) (f as Slotted)[SLOT] = p;
  else if (Object.isExtensible(f)) Object.defineProperty(f, SLOT, { value: p, enumerable: false, writable: true });
  else cache.set(f, p);
  return p;
}
