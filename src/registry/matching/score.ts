/**
 * Fellegi–Sunter scoring with household classes (classes.ts): per-field levels → log2(m/u)
 * weights, a term-frequency adjustment on exact name agreement, the prior, and the household term —
 * the pair is weighed against "two unrelated people", "two members of one household" and "twins"
 * at once, so what household members share (family name, phone, address, place) counts once:
 *   weight = prior + Σ log2(m/u) − log2(1 − η − τ + η·2^Σ log2(h/u) + τ·2^Σ log2(t/u))
 * (η, τ: the shares of household and twin pairs among non-matching pairs). Then the deterministic
 * identifier rule. Pure, and allocation-free on the ranking path (matchWeight).
 */
import { FIELDS, FIELD_LEVELS, fieldLevels } from './comparators';
import type { FieldComparison, MatchFeatures, MatchModel, MatchResult } from './contract';
import { withinOneEdit } from './jaro-winkler';
import { compileModel } from './model';
import type { CompiledModel } from './model';
import { oriented } from './orientation';
import { prepare } from './prepare';
import type { IdPart, Prepared } from './prepare';

const levels = new Int32Array(FIELDS.length);
/** Level names by field index (avoids a keyed lookup per field per pair). */
const LEVEL_NAMES: ReadonlyArray<readonly string[]> = FIELDS.map((f) => FIELD_LEVELS[f]);
const GIVEN = 0;
const FAMILY = 1;
/** Cap on how far the term-frequency adjustment may move an exact-agreement weight, in bits. */
const TF_MAX_SHIFT = 6;
/** Below this (bits), η·2^Σ is negligible against 1 − η and the household term is its constant. */
const NEGLIGIBLE = -40;
/** The household and twin weight sums of the last pair weighed (module state: no allocation per pair). */
let householdSum = 0;
let twinSum = 0;

/** The value's term frequency, cached on the prepared record for the last model it was scored with. */
function termFrequency(c: CompiledModel, p: Prepared, field: number, table: Map<string, number>, value: string): number {
  if (p.tfModel !== c) {
    p.tfModel = c;
    p.tfGiven = -1;
    p.tfFamily = -1;
  }
  const cached = field === GIVEN ? p.tfGiven : p.tfFamily;
  if (cached >= 0) return cached;
  const tf = Math.max(table.get(value) ?? c.tfMinimum, c.tfMinimum);
  if (field === GIVEN) p.tfGiven = tf;
  else p.tfFamily = tf;
  return tf;
}

/** Splink's adjustment, in bits: replace u(exact) by the value's own frequency; rarer names weigh more. */
function tfShift(c: CompiledModel, a: Prepared, b: Prepared, field: number): number {
  const value = field === GIVEN ? a.given : a.family;
  // Exact via the swapped order: the value sits in the other table, so no adjustment (keeps symmetry).
  if (value !== (field === GIVEN ? b.given : b.family)) return 0;
  const table = field === GIVEN ? c.tf.given : c.tf.family;
  if (table === undefined) return 0;
  const shift = Math.log2((c.exactU[field] as number) / termFrequency(c, a, field, table, value));
  return Math.max(-TF_MAX_SHIFT, Math.min(TF_MAX_SHIFT, shift));
}

/**
 * The most a near agreement of two names (a typo, an alias, the same sound) may weigh: what exact
 * agreement on the commoner of the two would weigh. A misspelt Ndiaye is no rarer a name than Ndiaye;
 * without the cap it would weigh as a rare name (its level's u is every name's, not Ndiaye's) and
 * more than Ndiaye written right.
 */
function nearNameCap(c: CompiledModel, a: Prepared, b: Prepared, field: number): number {
  const table = field === GIVEN ? c.tf.given : c.tf.family;
  if (table === undefined) return Infinity;
  const common = Math.max(termFrequency(c, a, field, table, field === GIVEN ? a.given : a.family), termFrequency(c, b, field, table, field === GIVEN ? b.given : b.family));
  const exact = (c.weights[field] as Float64Array)[1] as number;
  return exact + Math.max(-exact, Math.max(-TF_MAX_SHIFT, Math.min(TF_MAX_SHIFT, Math.log2((c.exactU[field] as number) / common))));
}

/** Σ log2(m/u) over the fields at `levels`; leaves Σ log2(h/u) and Σ log2(t/u) in householdSum and twinSum. */
function sumWeights(c: CompiledModel, a: Prepared, b: Prepared, out?: FieldComparison[]): number {
  let w = 0;
  let h = 0;
  let t = 0;
  for (let i = 0; i < FIELDS.length; i++) {
    const level = levels[i] as number;
    let wi = (c.weights[i] as Float64Array)[level] ?? 0;
    let hi = (c.householdWeights[i] as Float64Array)[level] ?? 0;
    let ti = (c.twinWeights[i] as Float64Array)[level] ?? 0;
    if (level === 1 && i <= FAMILY) {
      // The name's own frequency replaces u in every class's weight, and the match weight never
      // falls below 0 (agreeing on a common name is still not evidence against); every class moves
      // by the same amount, so how well the name separates a match from a household pair does not change.
      const shift = Math.max(tfShift(c, a, b, i), -wi);
      wi += shift;
      hi += shift;
      ti += shift;
    } else if (level > 1 && i <= FAMILY && wi > 0) {
      // Near agreement: capped at the commoner name's exact weight, every class moved alike.
      const shift = Math.min(0, nearNameCap(c, a, b, i) - wi);
      wi += shift;
      hi += shift;
      ti += shift;
    }
    w += wi;
    h += hi;
    t += ti;
    if (out) out[i] = { field: FIELDS[i] as string, level: (LEVEL_NAMES[i] as readonly string[])[level] as string, weight: wi };
  }
  householdSum = h;
  twinSum = t;
  return w;
}

/**
 * The household term in bits, −log2(1 − η − τ + η·2^householdSum + τ·2^twinSum): well below 0 when
 * the pair looks like two household members or twins, ≈ 0 otherwise.
 */
function householdTerm(c: CompiledModel): number {
  const x = c.log2HouseholdShare + householdSum;
  const y = c.log2TwinShare + twinSum;
  if (x < NEGLIGIBLE && y < NEGLIGIBLE) return -c.log2Unrelated;
  return -Math.log2(1 - c.householdShare - c.twinShare + 2 ** x + 2 ** y);
}

interface RuleState { same: boolean; conflict: boolean; systems?: string[]; agreed?: string[]; checkBits?: Map<string, number> }

function systemRule(a: IdPart[], b: IdPart[], state: RuleState): void {
  for (const x of a) {
    let sameSystem = false;
    let agreed = false;
    let typo = false;
    const bit = state.checkBits?.get(x.system) ?? 0;
    for (const y of b) {
      if (x.system !== y.system) continue;
      sameSystem = true;
      if (x.value === y.value) agreed = true;
      // A value failing its system's check digit was mistyped: not another person's number.
      else if (withinOneEdit(x.value, y.value) || (bit !== 0 && ((x.checks & bit) === 0 || (y.checks & bit) === 0))) typo = true;
    }
    if (agreed) {
      state.same = true;
      if (state.agreed && !state.agreed.includes(x.system)) state.agreed.push(x.system);
    }
    // A one-character difference is a plausible typo and is left to the probabilistic score.
    else if (sameSystem && !typo) {
      state.conflict = true;
      if (state.systems && !state.systems.includes(x.system)) state.systems.push(x.system);
    }
  }
}

/**
 * The deterministic identifier rule: `same` when a person identifier or a source-local key is
 * shared, `conflict` when a national/person identifier system holds different values (beyond a
 * one-character typo, or a value failing the system's check digit) on both sides; conflict wins over same.
 * @param a - first record
 * @param b - second record
 * @param conflictSystems - receives the systems in conflict
 * @param checkBits - check-digit bit per system (from the model)
 * @param sameSystems - receives the systems whose values agree (none when only a source-local key does)
 * @returns the rule outcome
 */
export function identifierRule(a: Prepared, b: Prepared, conflictSystems?: string[], checkBits?: Map<string, number>, sameSystems?: string[]): MatchResult['identifierRule'] {
  if ((a.nationalIds.length === 0 || b.nationalIds.length === 0) && (a.otherIds.length === 0 || b.otherIds.length === 0) &&
    (a.localIds.length === 0 || b.localIds.length === 0)) return 'none';
  const state: RuleState = { same: false, conflict: false, ...(conflictSystems ? { systems: conflictSystems } : {}), ...(sameSystems ? { agreed: sameSystems } : {}), ...(checkBits ? { checkBits } : {}) };
  systemRule(a.nationalIds, b.nationalIds, state);
  systemRule(a.otherIds, b.otherIds, state);
  if (state.conflict) return 'conflict';
  // A shared source-local key is the same record: proof whatever system it is, so no systems are named.
  if (a.localIds.some((k) => b.localIds.includes(k))) {
    sameSystems?.splice(0);
    return 'same';
  }
  return state.same ? 'same' : 'none';
}

/**
 * Match weight only (log2 Bayes factor + prior, household term included), without building the
 * explanation — the fast path for ranking many candidates.
 * @param a - first features
 * @param b - second features
 * @param model - the model
 * @returns the match weight in bits
 */
export function matchWeight(a: MatchFeatures, b: MatchFeatures, model: MatchModel): number {
  const c = compileModel(model);
  // Names in the order the registry's own tables say (orientation.ts).
  const pa = oriented(c.tf, prepare(a));
  const pb = oriented(c.tf, prepare(b));
  fieldLevels(pa, pb, levels);
  const w = sumWeights(c, pa, pb);
  return c.prior + w + (c.householdShare + c.twinShare > 0 ? householdTerm(c) : 0);
}

/**
 * Probability from a match weight: 2^w / (1 + 2^w).
 * @param weight - match weight in bits, prior included
 * @returns posterior probability 0..1
 */
export function weightToProbability(weight: number): number {
  if (weight > 60) return 1;
  if (weight < -60) return 0;
  const x = 2 ** weight;
  return x / (1 + x);
}

/** P(twins | pair) from the match weight and the twin share of the non-match mass. */
function twinProbability(c: CompiledModel, weight: number): number {
  const t = 2 ** (c.log2TwinShare + twinSum);
  const nonMatch = 1 - c.householdShare - c.twinShare + 2 ** (c.log2HouseholdShare + householdSum) + t;
  return (1 - weightToProbability(weight)) * (t / nonMatch);
}

/** Levels of the explanation's `household` entry (a trained model's): the kind of non-match that explains the pair best. */
export const HOUSEHOLD_LEVELS = ['twins', 'same-household', 'unrelated'] as const;

function householdComparison(c: CompiledModel, term: number): FieldComparison {
  // Which kind of non-match explains the pair best: its share of the non-match probability.
  const h = 2 ** (c.log2HouseholdShare + householdSum);
  const t = 2 ** (c.log2TwinShare + twinSum);
  const unrelated = 1 - c.householdShare - c.twinShare;
  const level: (typeof HOUSEHOLD_LEVELS)[number] = t >= h && t >= unrelated ? 'twins' : h >= unrelated ? 'same-household' : 'unrelated';
  return { field: 'household', level, weight: term };
}

/**
 * Score a pair of records: per-field levels and weights, the household term (an extra `household`
 * entry when the model has a household class, so the weights still add up to the total), total
 * weight with the prior, posterior probability and the identifier rule. Symmetric in a and b.
 * @param a - first features
 * @param b - second features
 * @param model - the model
 * @returns the match result
 */
export function compare(a: MatchFeatures, b: MatchFeatures, model: MatchModel): MatchResult {
  const c = compileModel(model);
  // Names in the order the registry's own tables say (orientation.ts).
  const pa = oriented(c.tf, prepare(a));
  const pb = oriented(c.tf, prepare(b));
  fieldLevels(pa, pb, levels);
  const fields: FieldComparison[] = new Array(FIELDS.length);
  let w = c.prior + sumWeights(c, pa, pb, fields);
  if (c.householdShare + c.twinShare > 0) {
    const term = householdTerm(c);
    w += term;
    fields.push(householdComparison(c, term));
  }
  const twins = c.twinShare > 0 ? { twinProbability: twinProbability(c, w) } : {};
  const conflictSystems: string[] = [];
  const sameSystems: string[] = [];
  const rule = identifierRule(pa, pb, conflictSystems, c.checkBits, sameSystems);
  const involved = rule === 'conflict' ? { conflictSystems } : rule === 'same' ? { sameSystems } : {};
  const unreliable = (rule === 'conflict' ? conflictSystems : rule === 'same' ? sameSystems : []).filter((s) => c.unreliableSystems.has(s));
  return {
    weight: w, probability: weightToProbability(w), fields, identifierRule: rule, ...twins,
    ...involved, ...(unreliable.length > 0 ? { unreliableSystems: unreliable } : {}),
  };
}
