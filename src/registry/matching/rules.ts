/**
 * The matcher's decision rules: one typed rule set, each default and bound stated here once.
 * The environment (`MATCH_*`, src/config/schema.ts) and the live settings (src/config/live.ts) reuse
 * these field schemas, so the mediator, the command-line tools and the evaluation read the same
 * defaults. This module imports only zod, so configuration can depend on it without pulling in the
 * engine.
 *
 * Thresholds are posterior probabilities (prior included) because they read the same to a data
 * steward whatever the number of fields; the runner-up margin is in bits of match weight, because
 * near 1 probabilities crowd together (0.9999 against 0.99999 is 3.3 bits).
 */
import { z } from 'zod';

const probability = z.coerce.number().min(0).max(1);
const flag = z.preprocess((v) => (typeof v === 'string' ? ['true', '1', 'yes'].includes(v.trim().toLowerCase()) : v), z.boolean());
const systemList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
  z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/, 'each system must be a URI')),
);

/** The rule fields, each with its default and description (reused by the configuration schemas). */
export const matchRuleFields = {
  upperThreshold: probability.default(0.95)
    .describe('Match probability at or above which the best candidate is linked automatically'),
  lowerThreshold: probability.default(0.5)
    .describe('Match probability at or above which a candidate raises a review task; below it the record gets a new golden record'),
  runnerUpMargin: z.coerce.number().min(0).max(64).default(5)
    .describe('Bits of match weight by which the best must beat a runner-up (another golden record) that is itself above upperThreshold'),
  minFieldsForAutoLink: z.coerce.number().int().min(0).default(2)
    .describe('Distinguishing fields (not sex or state) that must agree, non-null, for an automatic link'),
  identifierConflict: z.enum(['learned', 'review', 'score']).default('learned')
    .describe("'learned': a conflicting identifier never auto-links when the model learned its system is reliable (check digit, or rarely differs between records that agree on everything else) and only weighs against the match otherwise; 'review': never auto-links in any system; 'score': only weighs against the match in every system"),
  scoredIdentifierSystems: systemList.default([])
    .describe("Identifier systems whose conflicts only weigh against the match, and whose shared values only weigh for it, whatever was learned (numbers typed by hand without a check digit)"),
  reviewedIdentifierSystems: systemList.default([])
    .describe('Identifier systems whose conflicts never auto-link, and whose shared values link whatever the demographics, whatever was learned (e.g. the national ID)'),
  maxTwinProbability: probability.default(0.005)
    .describe('Largest probability, by the model, that the pair is twins (one household, one birth date) for an automatic link: a merge of twins is taken as ten times as costly as another false merge, so the bound is a tenth of the 5 % of doubt the upper threshold leaves'),
  identifierSameAutoLinks: flag.default(true)
    .describe('The deterministic rule: a shared person identifier, or a golden record already holding one of the record\'s identifiers, links automatically whatever the demographics (same system|value = same person) in a system the matcher trusts (decide.ts agreementTreatment); false: the identifier is only evidence'),
};

/** Schema of the decision rules (validated at start-up and whenever the live settings change). */
export const matchRulesSchema = z
  .object(matchRuleFields)
  .refine((r) => r.lowerThreshold <= r.upperThreshold, { message: 'lowerThreshold must not exceed upperThreshold', path: ['lowerThreshold'] });

/** Typed decision rules. */
export type MatchRules = z.output<typeof matchRulesSchema>;

/** The default rules. */
export const DEFAULT_RULES: MatchRules = Object.freeze(matchRulesSchema.parse({}));

/** The rules an operator sets through the environment, by variable name (README, Configuration). */
export const MATCH_RULE_ENV = {
  MATCH_UPPER_THRESHOLD: 'upperThreshold',
  MATCH_LOWER_THRESHOLD: 'lowerThreshold',
  MATCH_IDENTIFIER_CONFLICT: 'identifierConflict',
  MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS: 'scoredIdentifierSystems',
  MATCH_IDENTIFIER_CONFLICT_REVIEWED_SYSTEMS: 'reviewedIdentifierSystems',
} as const satisfies Record<string, keyof MatchRules>;

/**
 * The rules set by environment-style values (raw strings or parsed values), defaults for the rest.
 * @param env - values by MATCH_* name (unset or empty: the default)
 * @returns the validated rules; throws a ZodError naming the bad fields
 */
export function rulesFromEnvironment(env: Readonly<Record<string, unknown>>): MatchRules {
  const given: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(MATCH_RULE_ENV)) if (env[name] !== undefined && env[name] !== '') given[key] = env[name];
  return matchRulesSchema.parse(given);
}
