/**
 * The one link decision — auto-link, review or new — from the leading candidate and the runner-up
 * (each the best result for a distinct golden record). Registration, re-evaluation after an update,
 * the re-link job and `$match` grading all call it, with the rule set of ./rules.
 */
import type { MatchResult } from './contract';
import type { MatchRules } from './rules';
import { DEFAULT_RULES } from './rules';

/** Fields whose agreement is evidence of identity (sex and state agree for half of everyone). */
const DISTINGUISHING = new Set(['given', 'family', 'birthDate', 'phone', 'nationalId', 'otherId', 'postcode', 'city', 'address', 'email']);

/** A decision and why it was taken. */
export interface Decision {
  outcome: 'auto-link' | 'review' | 'new';
  reason: string;
}

/** What the decision looks at. */
export interface DecisionInput {
  /** The leading candidate's result (the best, or the one holding a shared identifier). */
  best?: MatchResult;
  /** The best result among the other golden records. */
  runnerUp?: MatchResult;
  /** The leading candidate's golden record already holds one of the probe's identifiers of a trusted system (cross-reference; agreementTreatment). */
  sharesIdentifier?: boolean;
}

/**
 * Count distinguishing fields that agree (positive weight, non-null level).
 * @param result - a match result
 * @returns the number of agreeing distinguishing fields
 */
export function agreeingFields(result: MatchResult): number {
  let n = 0;
  for (const f of result.fields) if (DISTINGUISHING.has(f.field) && f.level !== 'null' && f.weight > 0) n++;
  return n;
}

/**
 * What a conflict in one identifier system does, and why: the explicit settings first, then what
 * the model learned about the system (a system it knows nothing about keeps the hard rule).
 * @param system - the identifier system
 * @param learnedUnreliable - whether the model learned the system to be unreliable
 * @param rules - the rule set
 * @returns hard (never auto-links) or not, and the setting or the learning that decided it
 */
export function conflictTreatment(system: string, learnedUnreliable: boolean, rules: MatchRules): { hard: boolean; because: string } {
  if (rules.identifierConflict === 'score') return { hard: false, because: 'MATCH_IDENTIFIER_CONFLICT=score' };
  if (rules.scoredIdentifierSystems.includes(system)) return { hard: false, because: 'MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS' };
  if (rules.identifierConflict === 'review') return { hard: true, because: 'MATCH_IDENTIFIER_CONFLICT=review' };
  if (rules.reviewedIdentifierSystems.includes(system)) return { hard: true, because: 'MATCH_IDENTIFIER_CONFLICT_REVIEWED_SYSTEMS' };
  return { hard: !learnedUnreliable, because: 'learned' };
}

/**
 * What a value shared in one identifier system proves, and why: in a system the matcher trusts, one
 * person (the deterministic rule links whatever the demographics); in one it does not — listed in
 * MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS, or learned unreliable (numbers typed by hand, or kept
 * per clinic, where two people can hold one value) — it is evidence for the match, weighed with the
 * rest. MATCH_IDENTIFIER_CONFLICT=review treats every system as reliable.
 * @param system - the identifier system
 * @param learnedUnreliable - whether the model learned the system to be unreliable
 * @param rules - the rule set
 * @returns whether a shared value links whatever the demographics, and the setting or the learning that decided it
 */
export function agreementTreatment(system: string, learnedUnreliable: boolean, rules: MatchRules): { proves: boolean; because: string } {
  if (rules.scoredIdentifierSystems.includes(system)) return { proves: false, because: 'MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS' };
  if (rules.reviewedIdentifierSystems.includes(system)) return { proves: true, because: 'MATCH_IDENTIFIER_CONFLICT_REVIEWED_SYSTEMS' };
  if (rules.identifierConflict === 'review') return { proves: true, because: 'MATCH_IDENTIFIER_CONFLICT=review' };
  return { proves: !learnedUnreliable, because: 'learned' };
}

/**
 * Whether a result's shared identifier is proof of one person (agreementTreatment): a shared
 * source-local key always is; a shared value in some system the matcher trusts.
 * @param result - a comparison result
 * @param rules - the rule set
 */
export function identifierProves(result: MatchResult, rules: MatchRules): boolean {
  if (result.identifierRule !== 'same') return false;
  const systems = result.sameSystems ?? [];
  return systems.length === 0 || systems.some((s) => agreementTreatment(s, (result.unreliableSystems ?? []).includes(s), rules).proves);
}

/**
 * Whether a conflict in one identifier system forbids an automatic link (conflictTreatment).
 * @param system - the identifier system
 * @param result - the result naming the systems the model learned to be unreliable
 * @param rules - the rule set
 */
export function conflictIsHard(system: string, result: MatchResult, rules: MatchRules): boolean {
  return conflictTreatment(system, (result.unreliableSystems ?? []).includes(system), rules).hard;
}

function conflictBlocks(result: MatchResult, rules: MatchRules): boolean {
  if (result.identifierRule !== 'conflict') return false;
  const systems = result.conflictSystems ?? [];
  return systems.length === 0 || systems.some((s) => conflictIsHard(s, result, rules));
}

function withinMargin(best: MatchResult, runnerUp: MatchResult | undefined, rules: MatchRules): boolean {
  return runnerUp !== undefined && runnerUp.probability >= rules.upperThreshold && best.weight - runnerUp.weight < rules.runnerUpMargin;
}

/**
 * Decide what to do with a record given its leading candidate and the runner-up.
 * @param input - leading candidate, runner-up, and whether the leader shares an identifier
 * @param rules - the rule set (default: DEFAULT_RULES)
 * @returns the outcome with a reason
 */
export function decide(input: DecisionInput, rules: MatchRules = DEFAULT_RULES): Decision {
  const { best, runnerUp } = input;
  if (!best) return { outcome: 'new', reason: 'no candidate' };
  // Deterministic rule first: the same `system|value` of a trusted system is the same person.
  const sameId = best.identifierRule !== 'conflict' && (input.sharesIdentifier === true || identifierProves(best, rules));
  if (sameId && rules.identifierSameAutoLinks) return { outcome: 'auto-link', reason: 'shared identifier' };
  if (best.probability < rules.lowerThreshold) return { outcome: 'new', reason: 'no candidate above lowerThreshold' };
  if (conflictBlocks(best, rules)) return { outcome: 'review', reason: 'identifier conflict' };
  if (agreeingFields(best) < rules.minFieldsForAutoLink) return { outcome: 'review', reason: 'too few agreeing fields' };
  // Merging twins is the worst error an MPI makes: the model's twin posterior must be tiny.
  if ((best.twinProbability ?? 0) > rules.maxTwinProbability) return { outcome: 'review', reason: 'could be twins' };
  if (best.probability < rules.upperThreshold) return { outcome: 'review', reason: 'between thresholds' };
  if (withinMargin(best, runnerUp, rules)) return { outcome: 'review', reason: 'runner-up within margin' };
  return { outcome: 'auto-link', reason: 'above upperThreshold' };
}
