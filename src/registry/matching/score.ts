/**
 * Fellegi–Sunter scoring: per-field levels → log2(m/u) weights, a term-frequency adjustment on exact
 * name agreement, the prior, and the deterministic identifier rule. Pure and allocation-light.
 */
import { FIELDS, FIELD_LEVELS, fieldLevels } from './comparators';
import type { FieldComparison, MatchFeatures, MatchModel, MatchResult } from './contract';
import { withinOneEdit } from './jaro-winkler';
import { compileModel } from './model';
import type { CompiledModel } from './model';
import { prepare } from './prepare';
import type { IdPart, Prepared } from './prepare';

const levels = new Int32Array(FIELDS.length);
/** Level names by field index (avoids a keyed lookup per field per pair). */
const LEVEL_NAMES: ReadonlyArray<readonly string[]> = FIELDS.map((f) => FIELD_LEVELS[f]);
const GIVEN = 0;
const FAMILY = 1;
/** Cap on how far the term-frequency adjustment may move an exact-agreement weight, in bits. */
const TF_MAX_SHIFT = 6;

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

function tfWeight(c: CompiledModel, p: Prepared, field: number, value: string, base: number): number {
  const table = field === GIVEN ? c.tf.given : c.tf.family;
  if (table === undefined) return base;
  const tf = termFrequency(c, p, field, table, value);
  // Splink's adjustment: replace u(exact) by the value's own frequency; rarer names weigh more.
  const shift = Math.log2((c.exactU[field] as number) / tf);
  // Never below zero: agreeing on a very common name is still not evidence against a match.
  return Math.max(0, base + Math.max(-TF_MAX_SHIFT, Math.min(TF_MAX_SHIFT, shift)));
}

function fieldWeight(c: CompiledModel, a: Prepared, b: Prepared, field: number, level: number): number {
  const w = (c.weights[field] as Float64Array)[level] ?? 0;
  if (level !== 1 || field > FAMILY) return w;
  const value = field === GIVEN ? a.given : a.family;
  // Exact via the swapped order: the value sits in the other table, so no adjustment (keeps symmetry).
  if (value !== (field === GIVEN ? b.given : b.family)) return w;
  return tfWeight(c, a, field, value, w);
}

function systemRule(a: IdPart[], b: IdPart[], state: { same: boolean; conflict: boolean; systems?: string[] }): void {
  for (const x of a) {
    let sameSystem = false;
    let agreed = false;
    let typo = false;
    for (const y of b) {
      if (x.system !== y.system) continue;
      sameSystem = true;
      if (x.value === y.value) agreed = true;
      else if (withinOneEdit(x.value, y.value)) typo = true;
    }
    if (agreed) state.same = true;
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
 * one-character typo) on both sides; conflict wins over same.
 * @param a - first record
 * @param b - second record
 * @returns the rule outcome
 */
export function identifierRule(a: Prepared, b: Prepared, conflictSystems?: string[]): MatchResult['identifierRule'] {
  if ((a.nationalIds.length === 0 || b.nationalIds.length === 0) && (a.otherIds.length === 0 || b.otherIds.length === 0) &&
    (a.localIds.length === 0 || b.localIds.length === 0)) return 'none';
  const state = { same: false, conflict: false, systems: conflictSystems };
  systemRule(a.nationalIds, b.nationalIds, state);
  systemRule(a.otherIds, b.otherIds, state);
  if (state.conflict) return 'conflict';
  if (state.same) return 'same';
  for (const k of a.localIds) if (b.localIds.includes(k)) return 'same';
  return 'none';
}

/**
 * Match weight only (log2 Bayes factor + prior), without building the explanation — the fast path
 * for ranking many candidates.
 * @param a - first features
 * @param b - second features
 * @param model - the model
 * @returns the match weight in bits
 */
export function matchWeight(a: MatchFeatures, b: MatchFeatures, model: MatchModel): number {
  const c = compileModel(model);
  const pa = prepare(a);
  const pb = prepare(b);
  fieldLevels(pa, pb, levels);
  let w = c.prior;
  for (let i = 0; i < FIELDS.length; i++) w += fieldWeight(c, pa, pb, i, levels[i] as number);
  return w;
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

/**
 * Score a pair of records: per-field levels and weights, total weight with the prior, posterior
 * probability and the identifier rule. Symmetric in a and b.
 * @param a - first features
 * @param b - second features
 * @param model - the model
 * @returns the match result
 */
export function compare(a: MatchFeatures, b: MatchFeatures, model: MatchModel): MatchResult {
  const c = compileModel(model);
  const pa = prepare(a);
  const pb = prepare(b);
  fieldLevels(pa, pb, levels);
  const fields: FieldComparison[] = new Array(FIELDS.length);
  let w = c.prior;
  for (let i = 0; i < FIELDS.length; i++) {
    const level = levels[i] as number;
    const weight = fieldWeight(c, pa, pb, i, level);
    w += weight;
    fields[i] = { field: FIELDS[i] as string, level: (LEVEL_NAMES[i] as readonly string[])[level] as string, weight };
  }
  const conflictSystems: string[] = [];
  const rule = identifierRule(pa, pb, conflictSystems);
  return { weight: w, probability: weightToProbability(w), fields, identifierRule: rule, ...(rule === 'conflict' ? { conflictSystems } : {}) };
}
