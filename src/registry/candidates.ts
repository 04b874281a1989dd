/**
 * Where a probe goes, over scored candidates (candidate-lookup.ts finds and scores them): remembered
 * not-a-match constraints, the leading candidate, and the one decision of the rule set
 * (registry/matching/decide.ts); and the FHIR match grade from that same decision. Read-only:
 * shared by registration, re-evaluation, `$match` and the re-link job.
 */
import type { MatchResult } from './matching/contract';
import { decide, identifierProves } from './matching/decide';
import type { Decision } from './matching/decide';
import type { MatchCandidate, MatchGrade } from './api';
import type { RegistryContext } from './context';
import type { NotAMatch, StoredGolden } from './store';
import { publicGolden } from './views';

/** The best comparison of a probe with one golden record. */
export interface ScoredGolden {
  mpiId: string;
  result: MatchResult;
  matchedSourceKey: string;
}

/** Where a probe goes: the rule set's decision and the candidates it concerns. */
export interface LinkChoice {
  decision: Decision;
  /** The golden record to link to (with `auto-link`). */
  target?: ScoredGolden;
  /** Candidates for a review task (review band and above, and identifier-matched ones); empty with `new`. */
  reviewCandidates: ScoredGolden[];
}

/**
 * Whether a not-a-match constraint forbids linking to a golden record.
 * @param mpiId - candidate golden record
 * @param members - its source keys
 * @param constraints - the probe's constraints
 */
export function forbidden(mpiId: string, members: string[], constraints: NotAMatch[]): boolean {
  return constraints.some((c) => c.mpiId === mpiId || members.some((k) => c.otherSourceKeys.includes(k)));
}

/**
 * Choose where a probe goes: not-a-match constraints first, then the leading candidate — one whose
 * golden record holds a shared identifier of a trusted system, else the best — and the one decision
 * of the rule set.
 * @param ctx - registry context (rules)
 * @param scored - candidates, best first
 * @param opts - golden records holding one of the probe's identifiers of a trusted system (CandidateSearch.xref), constraints of the probe, members of a golden record
 */
export function chooseLink(ctx: RegistryContext, scored: ScoredGolden[], opts: { xref: string[]; constraints: NotAMatch[]; membersOf: (mpiId: string) => string[] }): LinkChoice {
  const rules = ctx.cfg.rules;
  const allowed = opts.constraints.length === 0 ? scored : scored.filter((s) => !forbidden(s.mpiId, opts.membersOf(s.mpiId), opts.constraints));
  const inXref = (s: ScoredGolden): boolean => opts.xref.includes(s.mpiId);
  const lead = allowed.find((s) => inXref(s) && s.result.identifierRule !== 'conflict') ??
    allowed.find((s) => identifierProves(s.result, rules)) ?? allowed[0];
  const runnerUp = allowed.find((s) => s !== lead);
  const decision = decide({ best: lead?.result, runnerUp: runnerUp?.result, sharesIdentifier: lead !== undefined && inXref(lead) }, rules);
  if (decision.outcome === 'new') return { decision, reviewCandidates: [] };
  const band = allowed.filter((s) => s.result.probability >= rules.lowerThreshold || s.result.identifierRule === 'same' || inXref(s));
  const reviewCandidates = band.length > 0 ? band : allowed.slice(0, 2);
  return { decision, ...(decision.outcome === 'auto-link' && lead ? { target: lead } : {}), reviewCandidates };
}

/**
 * FHIR match grade of a result, from the same decision as registration: `certain` when it would
 * auto-link, `probable` / `possible` in the upper / lower half of the review band, else `certainly-not`.
 * @param ctx - registry context (rules)
 * @param r - the comparison result
 */
export function gradeOf(ctx: RegistryContext, r: MatchResult): MatchGrade {
  const rules = ctx.cfg.rules;
  const { outcome } = decide({ best: r }, rules);
  if (outcome === 'auto-link') return 'certain';
  if (outcome === 'new') return 'certainly-not';
  return r.probability >= (rules.upperThreshold + rules.lowerThreshold) / 2 ? 'probable' : 'possible';
}

/**
 * Public MatchCandidate of a scored golden record.
 * @param ctx - registry context
 * @param s - the scored golden record
 * @param golden - its stored golden record
 */
export function toMatchCandidate(ctx: RegistryContext, s: ScoredGolden, golden: StoredGolden): MatchCandidate {
  return { ...scoredView(ctx, s), golden: publicGolden(golden) };
}

/**
 * A scored golden record as the API shows a candidate, without the golden record itself.
 * @param ctx - registry context
 * @param s - the scored golden record
 */
export function scoredView(ctx: RegistryContext, s: ScoredGolden): Omit<MatchCandidate, 'golden'> {
  return {
    mpiId: s.mpiId,
    score: s.result.probability,
    weight: s.result.weight,
    grade: gradeOf(ctx, s.result),
    explanation: s.result.fields,
    matchedSourceKey: s.matchedSourceKey,
  };
}
