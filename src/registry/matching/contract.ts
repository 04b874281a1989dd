/**
 * The contract between the pure matching engine (src/registry/matching) and the registry services
 * and stores that call it. Everything here is plain JSON-serialisable data so that features and
 * models can be stored in MongoDB as they are.
 */
import type { Patient } from 'fhir/r4';

/** A partial or full date; `estimated` marks 1 January / mid-year / year-only heaped dates. */
export interface PartialDate {
  year: number;
  month?: number;
  day?: number;
  estimated?: boolean;
}

/** Normalised matching features of one source record, computed once at write time and stored. */
export interface MatchFeatures {
  /** Normalised given names (upper case, accents folded, particles handled), first one first. */
  given: string[];
  /** Normalised family name tokens. */
  family: string[];
  /** Double Metaphone codes of the first given name (primary, alternate). */
  givenPhonetic: string[];
  /** Double Metaphone codes of the family name. */
  familyPhonetic: string[];
  birthDate?: PartialDate;
  gender?: 'male' | 'female' | 'other' | 'unknown';
  /** E.164 phone numbers. */
  phones: string[];
  /** National identifiers as `system|value`, value normalised. */
  nationalIds: string[];
  /**
   * Other person-level identifiers as `system|value` (ART numbers, passports, insurance numbers...):
   * a different value in the same system is a conflict. See `localIds` for source-local record keys.
   */
  otherIds: string[];
  /**
   * Source-local record keys as `system|value` (a source system's own id for its record). Equal
   * keys mean the same record; different keys mean nothing (a source may hold duplicates), so they
   * never count as a conflict. Optional for features stored before this field existed.
   */
  localIds?: string[];
  /** Normalised e-mail addresses (lower case). Optional. */
  emails?: string[];
  postcode?: string;
  city?: string;
  state?: string;
  address?: string;
  /** Why a field was dropped during normalisation (e.g. `birthDate: impossible date 1980-13-45`). */
  rejected: string[];
}

/** One field's contribution to a match decision. */
export interface FieldComparison {
  field: string;
  /** Comparison level reached, e.g. `exact`, `jw>=0.92`, `swap-day-month`, `null`, `disagree`. */
  level: string;
  /** log2 Bayes factor contributed (0 for a neutral null). */
  weight: number;
}

/** The outcome of comparing two records. */
export interface MatchResult {
  /** Sum of log2 weights including the prior (match weight). */
  weight: number;
  /** Posterior probability of a match, 0..1. */
  probability: number;
  fields: FieldComparison[];
  /** Deterministic identifier rule outcome: same identifier, conflicting identifier in one system, or none. */
  identifierRule: 'same' | 'conflict' | 'none';
  /** With `identifierRule: 'conflict'`: the identifier systems holding the conflicting values. */
  conflictSystems?: string[];
  /**
   * With `identifierRule: 'same'`: the identifier systems whose values agree (empty when only a
   * source-local key does).
   */
  sameSystems?: string[];
  /** With a model that has a twin class: the posterior probability that the pair is twins. */
  twinProbability?: number;
  /**
   * Those of `conflictSystems` or `sameSystems` the model learned to be unreliable (their values often
   * differ between records of one person): under the learned rule their conflict only weighs against
   * the match, and their agreement only for it.
   */
  unreliableSystems?: string[];
}

/** A versioned, reproducible Fellegi–Sunter model. */
export interface MatchModel {
  version: string;
  createdAt: string;
  /** How it was made: `default` or `em` with the training parameters. */
  trainedBy: { method: 'default' | 'em'; records?: number; pairs?: number; iterations?: number; seed?: number };
  /** Prior probability that a random pair is a match. */
  lambda: number;
  /**
   * Per field: level probabilities in level order for a pair of records of one person (m), of two
   * unrelated people (u) and, when the model has household classes, of two members of one household
   * (h) and of twins (t): what household members share (family name, phone, address, place) is one
   * piece of evidence, not several.
   */
  fields: Record<string, { levels: string[]; m: number[]; u: number[]; h?: number[]; t?: number[] }>;
  /** Prior probability that a random pair is two members of one household, not twins (absent: no household class). */
  householdLambda?: number;
  /** Prior probability that a random pair is twins (absent: no twin class). */
  twinLambda?: number;
  /** Term-frequency tables for exact-agreement adjustment (value -> relative frequency). Optional. */
  termFrequencies?: Record<string, Record<string, number>>;
  /** What training learned about each identifier system (see IdentifierReliability). Optional. */
  identifierSystems?: Record<string, IdentifierReliability>;
}

/**
 * How far one identifier system can be trusted, learned from the data: among blocked pairs that
 * agree on everything else (match probability ≥ 0.99 without identifiers), how often the system's
 * values agree, differ by a typo, or conflict; and whether nearly every value passes a check digit.
 */
export interface IdentifierReliability {
  /** Distinct values seen. */
  values: number;
  /** The check-digit algorithm nearly every value passes, if any. */
  checkDigit?: 'luhn' | 'verhoeff' | 'damm' | 'mod11-2' | 'mod97-10';
  /** Confident pairs where both records carry the system, and how they compared. */
  pairs: number;
  agree: number;
  typo: number;
  conflict: number;
  /** Reliable: a conflict never auto-links (the hard rule); unreliable: it only weighs against the match. */
  reliable: boolean;
}

/** Options of `extractFeatures`; engine-level defaults apply to anything left out. */
export interface ExtractOptions {
  /** ISO 3166 alpha-2 country applied to national phone numbers (e.g. `UG`). */
  defaultCountry?: string;
  /** Identifier systems holding national ids; default: heuristics (nin/national/nid/ssn, type NI/SB). */
  nationalIdSystems?: string[];
  /** Other systems whose values identify a person (a different value is a conflict). */
  personIdSystems?: string[];
  /** Systems that are source-local record keys (never a conflict), e.g. the record's own key system. */
  ownKeySystems?: string[];
  /** ISO date used to reject future birth dates; default today. */
  today?: string;
}

/** What the matching engine offers to the registry. All functions are pure and synchronous. */
export interface MatchingEngine {
  /** Normalise a FHIR Patient into features; never throws on bad data, records reasons in `rejected`. */
  extractFeatures(patient: Patient, opts?: ExtractOptions): MatchFeatures;
  /** Blocking keys (strings, e.g. `dob:19800101`, `ph:+221...`) under which a record is indexed and looked up. */
  blockingKeys(features: MatchFeatures): string[];
  /**
   * Narrower variants of `blockingKeys` (same order), used to split a block that grew large; a key
   * without a narrower form is returned unchanged. Optional: engines without it never split.
   */
  refinedBlockingKeys?(features: MatchFeatures): string[];
  /** Score a pair, with the per-field explanation and the identifier rule. */
  compare(a: MatchFeatures, b: MatchFeatures, model: MatchModel): MatchResult;
  /** The pair's match weight only (what `compare` would return as `weight`): the fast path for ranking candidates. */
  weight(a: MatchFeatures, b: MatchFeatures, model: MatchModel): number;
}
