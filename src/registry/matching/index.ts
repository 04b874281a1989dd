/**
 * The pure matching engine: feature extraction, blocking keys, Fellegi–Sunter scoring, unsupervised
 * training and the link decision. No I/O; everything here is synchronous and deterministic.
 */
import type { Patient } from 'fhir/r4';
import { blockingKeys, refinedBlockingKeys } from './blocking';
import type { ExtractOptions, MatchFeatures, MatchingEngine, MatchModel, MatchResult } from './contract';
import { extractFeatures } from './features';
import { compare, matchWeight } from './score';

export type * from './contract';
export { blockingKeys, refinedBlockingKeys, MAX_BLOCK, REFINE_AT } from './blocking';
export { FIELDS, FIELD_LEVELS } from './comparators';
export { decide, agreeingFields, agreementTreatment, conflictIsHard, conflictTreatment, identifierProves } from './decide';
export type { Decision, DecisionInput } from './decide';
export { matchRulesSchema, matchRuleFields, DEFAULT_RULES, MATCH_RULE_ENV, rulesFromEnvironment } from './rules';
export type { MatchRules } from './rules';
export { extractFeatures, phonetic } from './features';
export { jaroWinkler, jaro } from './jaro-winkler';
export { defaultModel, modelVersion, DEFAULT_LAMBDA } from './model';
export { compare, matchWeight, weightToProbability, identifierRule, HOUSEHOLD_LEVELS } from './score';
export { trainModel } from './train';
export type { TrainOptions } from './train';
export { mulberry32, shuffled } from './prng';
export { activeNameTable, buildNameTable, loadNameTables, useNameTable, NameTableError } from './name-table';
export type { NameTable } from './name-table';

/**
 * Build a matching engine with engine-wide extraction defaults (country, identifier systems);
 * per-call options override them.
 * @param opts - default extraction options
 * @returns a MatchingEngine
 */
export function createMatchingEngine(opts: ExtractOptions = {}): MatchingEngine {
  return {
    extractFeatures: (patient: Patient, callOpts?: ExtractOptions): MatchFeatures =>
      extractFeatures(patient, { ...opts, ...callOpts }),
    blockingKeys: (features: MatchFeatures): string[] => blockingKeys(features),
    refinedBlockingKeys: (features: MatchFeatures): string[] => refinedBlockingKeys(features),
    compare: (a: MatchFeatures, b: MatchFeatures, model: MatchModel): MatchResult => compare(a, b, model),
    weight: (a: MatchFeatures, b: MatchFeatures, model: MatchModel): number => matchWeight(a, b, model),
  };
}
