/**
 * The link decision: auto-link, review or new, from the best and runner-up candidates. Thresholds
 * are posterior probabilities (prior included) because they read the same to a data steward
 * whatever the number of fields; the runner-up margin is in bits of match weight, because near 1
 * probabilities crowd together (0.9999 vs 0.99999 is 3.3 bits).
 */
import { z } from 'zod';
import type { MatchResult } from './contract';

/** Fields whose agreement is evidence of identity (gender and state agree for half of everyone). */
const DISTINGUISHING = new Set(['given', 'family', 'birthDate', 'phone', 'nationalId', 'otherId', 'postcode', 'city', 'address', 'email']);

/** Schema of the decision rules (validated at boot and on every dynamic config change). */
export const matchRulesSchema = z
  .object({
    upperThreshold: z.number().min(0).max(1).default(0.95)
      .describe('Posterior probability at or above which the best candidate is linked automatically'),
    lowerThreshold: z.number().min(0).max(1).default(0.5)
      .describe('Posterior probability at or above which a candidate raises a review task'),
    runnerUpMargin: z.number().min(0).default(5)
      .describe('Bits of match weight by which the best must beat a runner-up that is itself above upperThreshold'),
    minFieldsForAutoLink: z.number().int().min(0).default(2)
      .describe('Distinguishing fields (not gender/state) that must agree, non-null, for an auto-link'),
    identifierConflict: z.enum(['review', 'score']).default('review')
      .describe("'review': a conflicting person identifier never auto-links (product default); 'score': it only weighs against the match (for sources whose identifiers are known to be unreliable)"),
    scoredIdentifierSystems: z.array(z.string().min(1)).default([])
      .describe("Identifier systems whose conflicts only weigh against the match even under 'review' (numbers typed by hand without a check digit)"),
    identifierSameAutoLinks: z.boolean().default(true)
      .describe('A shared person identifier auto-links when the probability is at least lowerThreshold'),
  })
  .refine((r) => r.lowerThreshold <= r.upperThreshold, { message: 'lowerThreshold must not exceed upperThreshold' });

/** Typed decision rules. */
export type MatchRules = z.infer<typeof matchRulesSchema>;

/** The default rules. */
export const DEFAULT_RULES: MatchRules = matchRulesSchema.parse({});

/** A decision and why it was taken. */
export interface Decision {
  outcome: 'auto-link' | 'review' | 'new';
  reason: string;
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

/** Whether a conflicting identifier blocks the auto-link: in 'review' mode, unless every conflicting system is a scored one. */
function conflictBlocks(best: MatchResult, rules: MatchRules): boolean {
  if (best.identifierRule !== 'conflict' || rules.identifierConflict === 'score') return false;
  const systems = best.conflictSystems ?? [];
  return systems.length === 0 || systems.some((s) => !rules.scoredIdentifierSystems.includes(s));
}

function belowAutoLink(best: MatchResult, rules: MatchRules): Decision | undefined {
  if (conflictBlocks(best, rules)) return { outcome: 'review', reason: 'identifier conflict' };
  if (agreeingFields(best) < rules.minFieldsForAutoLink) return { outcome: 'review', reason: 'too few agreeing fields' };
  return undefined;
}

/**
 * Decide what to do with a new record given its best and runner-up candidates (each the best
 * result for a distinct golden record).
 * @param best - the best candidate's result, if any
 * @param runnerUp - the second-best distinct golden record's result, if any
 * @param rules - thresholds
 * @returns the outcome with a reason
 */
export function decideWithReason(best: MatchResult | undefined, runnerUp: MatchResult | undefined, rules: MatchRules = DEFAULT_RULES): Decision {
  if (!best || best.probability < rules.lowerThreshold) return { outcome: 'new', reason: 'no candidate above lowerThreshold' };
  const blocked = belowAutoLink(best, rules);
  if (blocked) return blocked;
  const sameId = rules.identifierSameAutoLinks && best.identifierRule === 'same';
  if (best.probability < rules.upperThreshold && !sameId) return { outcome: 'review', reason: 'between thresholds' };
  if (runnerUp && runnerUp.probability >= rules.upperThreshold && best.weight - runnerUp.weight < rules.runnerUpMargin) {
    return { outcome: 'review', reason: 'runner-up within margin' };
  }
  return { outcome: 'auto-link', reason: sameId ? 'same identifier' : 'above upperThreshold' };
}

/**
 * Decide (outcome only). See decideWithReason.
 * @param best - the best candidate's result, if any
 * @param runnerUp - the runner-up's result, if any
 * @param rules - thresholds
 * @returns 'auto-link' | 'review' | 'new'
 */
export function decide(best: MatchResult | undefined, runnerUp: MatchResult | undefined, rules: MatchRules = DEFAULT_RULES): Decision['outcome'] {
  return decideWithReason(best, runnerUp, rules).outcome;
}
