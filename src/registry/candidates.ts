/**
 * Match decisions over scored candidates (candidate-lookup.ts finds and scores them): deterministic
 * identifiers first, thresholds, runner-up margin, remembered not-a-match constraints; and the FHIR
 * match grade. Read-only: shared by registration, `$match` and the re-link job.
 */
import type { MatchResult } from './matching/contract';
import type { MatchCandidate, MatchGrade } from './ports';
import type { RegistryContext } from './context';
import type { NotAMatch, StoredGolden } from './store';
import { publicGolden } from './views';

/** The best comparison of a probe with one golden record. */
export interface ScoredGolden {
  mpiId: string;
  result: MatchResult;
  matchedSourceKey: string;
}

/** What to do with a probe. */
export interface Decision {
  action: 'link' | 'review' | 'new';
  target?: ScoredGolden;
  /** Candidates for a review task (review band and above). */
  reviewCandidates: ScoredGolden[];
  deterministic: boolean;
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
 * Apply the decision rules.
 * @param ctx - registry context (thresholds)
 * @param scored - candidates, best first
 * @param opts - identifier-matched golden records, constraints of the probe
 */
export function decide(ctx: RegistryContext, scored: ScoredGolden[], opts: { xref: string[]; constraints: NotAMatch[]; membersOf: (mpiId: string) => string[] }): Decision {
  const { autoLink, review, margin } = ctx.cfg.decision;
  const allowed = opts.constraints.length === 0 ? scored : scored.filter((s) => !forbidden(s.mpiId, opts.membersOf(s.mpiId), opts.constraints));
  const reviewCandidates = allowed.filter((s) => s.result.probability >= review || s.result.identifierRule === 'same' || opts.xref.includes(s.mpiId));
  const byId = allowed.find((s) => opts.xref.includes(s.mpiId) && s.result.identifierRule !== 'conflict');
  const deterministic = byId ?? allowed.find((s) => s.result.identifierRule === 'same');
  if (deterministic) {
    return { action: 'link', target: deterministic, reviewCandidates, deterministic: true };
  }
  const [best, runnerUp] = allowed;
  if (ctx.decideFn) {
    const outcome = ctx.decideFn(best?.result, runnerUp?.result);
    const action = outcome === 'auto-link' ? 'link' : outcome;
    const forReview = reviewCandidates.length > 0 ? reviewCandidates : allowed.slice(0, 2);
    return { action, ...(action === 'link' && best ? { target: best } : {}), reviewCandidates: action === 'new' ? [] : forReview, deterministic: false };
  }
  if (!best || reviewCandidates.length === 0) {
    return { action: 'new', reviewCandidates: [], deterministic: false };
  }
  const close = runnerUp !== undefined && runnerUp.result.probability >= review && best.result.probability - runnerUp.result.probability < margin;
  if (best.result.probability >= autoLink && best.result.identifierRule !== 'conflict' && !close) {
    return { action: 'link', target: best, reviewCandidates, deterministic: false };
  }
  return { action: 'review', reviewCandidates, deterministic: false };
}

/**
 * FHIR match grade of a result.
 * @param ctx - registry context (thresholds)
 * @param r - the comparison result
 */
export function gradeOf(ctx: RegistryContext, r: MatchResult): MatchGrade {
  const { autoLink, review } = ctx.cfg.decision;
  if (r.identifierRule === 'same' || (r.probability >= autoLink && r.identifierRule !== 'conflict')) {
    return 'certain';
  }
  if (r.probability >= (autoLink + review) / 2) {
    return 'probable';
  }
  return r.probability >= review ? 'possible' : 'certainly-not';
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
