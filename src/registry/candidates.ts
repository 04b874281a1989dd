/**
 * Candidate search and match decisions: blocking-index lookups (capped, tightened when a block is
 * over-full), pairwise scoring against each candidate source, best score per golden record, then
 * the decision rules (deterministic identifiers first, thresholds, runner-up margin, remembered
 * not-a-match constraints). Read-only: shared by registration, `$match` and the re-link job.
 */
import type { Identifier } from 'fhir/r4';
import type { MatchFeatures, MatchModel, MatchResult } from './matching/contract';
import { decide } from './matching/decide';
import type { Decision } from './matching/decide';
import type { MatchCandidate, MatchGrade } from './ports';
import type { RegistryContext } from './context';
import type { NotAMatch, StoredGolden, StoredSource } from './store';
import { publicGolden } from './views';

/** The best comparison of a probe with one golden record. */
export interface ScoredGolden {
  golden: StoredGolden;
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

async function blockSourceKeys(ctx: RegistryContext, keys: string[], refined: string[]): Promise<Set<string>> {
  // The keys' lookups are independent: sent together, merged in key order (deterministic).
  const perKey = await Promise.all(keys.map((key, i) => blockHits(ctx, key, refined[i])));
  return new Set(perKey.flat());
}

/** Source keys under one blocking key: its refined block when the block is large, capped. */
async function blockHits(ctx: RegistryContext, key: string, fine: string | undefined): Promise<string[]> {
  const cap = ctx.cfg.blockCap;
  let hits = await ctx.store.blocking.lookup(key, cap);
  if (hits.length > ctx.cfg.refineAt && fine !== undefined && fine !== key) {
    // A large block (a common name in a common year, a big town): read its refined block — the
    // records that also share given initial, sex and birth month; the probe's other keys still
    // find the rest.
    const narrowed = await ctx.store.blocking.lookup(fine, cap);
    ctx.logger.debug?.({ blockKind: key.split(':')[0], size: hits.length, kept: narrowed.length }, 'large block split by its refined key');
    hits = narrowed;
  }
  if (hits.length > cap) {
    // Still over-full (a refined block of a heaped value): logged, never silently turned into "no match".
    ctx.logger.warn({ blockKind: key.split(':')[0], cap }, 'blocking key over-full; truncated at cap');
    hits = hits.slice(0, cap);
  }
  return hits;
}

/**
 * Score a probe against the registry: best comparison per active golden record, best first.
 * @param ctx - registry context
 * @param features - probe features
 * @param model - match model
 * @param opts - source key to leave out (the probe itself) and extra golden records to score
 */
export async function scoreCandidates(ctx: RegistryContext, features: MatchFeatures, model: MatchModel, opts: { excludeSourceKey?: string; extraGoldens?: string[] } = {}): Promise<ScoredGolden[]> {
  const keys = await blockSourceKeys(ctx, ctx.engine.blockingKeys(features), ctx.engine.refinedBlockingKeys?.(features) ?? []);
  const goldenIds = new Set(opts.extraGoldens ?? []);
  keys.delete(opts.excludeSourceKey ?? '');
  const sources = (await ctx.store.sources.getMany([...keys])).filter((s) => s.active && s.goldenId);
  sources.forEach((s) => goldenIds.add(s.goldenId as string));
  const goldens = new Map((await ctx.store.goldens.getMany([...goldenIds])).filter((g) => g.status === 'active').map((g) => [g.mpiId, g]));
  const extra = [...goldens.values()].flatMap((g) => g.sourceKeys).filter((k) => !keys.has(k) && k !== opts.excludeSourceKey);
  sources.push(...(await ctx.store.sources.getMany(extra)).filter((s) => s.active));
  const best = new Map<string, ScoredGolden>();
  const linked = sources.filter((s) => goldens.has(s.goldenId ?? ''));
  for (const [mpiId, top] of topSourcesByWeight(ctx, features, model, linked)) {
    const golden = goldens.get(mpiId) as StoredGolden;
    for (const s of top) {
      const result = ctx.engine.compare(features, s.features, model);
      const cur = best.get(mpiId);
      if (!cur || better(result, cur.result)) best.set(mpiId, { golden, result, matchedSourceKey: s.key });
    }
  }
  return [...best.values()].sort((a, b) => (better(a.result, b.result) ? -1 : better(b.result, a.result) ? 1 : a.golden.mpiId < b.golden.mpiId ? -1 : 1));
}

/**
 * Weigh every candidate source with the fast scorer and keep, per golden record, the sources of
 * highest weight (ties kept: the identifier rule breaks them). Only those are then compared in full
 * with an explanation — the ranking loop is the hot one, the explanations are needed for a few.
 */
function topSourcesByWeight(ctx: RegistryContext, features: MatchFeatures, model: MatchModel, sources: StoredSource[]): Map<string, StoredSource[]> {
  const top = new Map<string, { weight: number; sources: StoredSource[] }>();
  for (const s of sources) {
    const mpiId = s.goldenId ?? '';
    const weight = ctx.engine.weight(features, s.features, model);
    const cur = top.get(mpiId);
    if (!cur || weight > cur.weight) top.set(mpiId, { weight, sources: [s] });
    else if (weight === cur.weight) cur.sources.push(s);
  }
  return new Map([...top].map(([id, t]) => [id, t.sources]));
}

function rank(r: MatchResult): number {
  return r.identifierRule === 'same' ? 2 : r.identifierRule === 'conflict' ? 0 : 1;
}

function better(a: MatchResult, b: MatchResult): boolean {
  return a.probability !== b.probability ? a.probability > b.probability : a.weight !== b.weight ? a.weight > b.weight : rank(a) > rank(b);
}

/**
 * Golden records holding one of the probe's identifiers in the cross-reference (deterministic rule).
 * @param ctx - registry context
 * @param identifiers - the probe's identifiers
 */
export async function xrefGoldens(ctx: RegistryContext, identifiers: Identifier[]): Promise<string[]> {
  const refs = identifiers.filter((i) => i.system && i.value).map((i) => ({ system: i.system as string, value: i.value as string }));
  // Independent point reads, sent together; the result keeps the identifiers' order.
  const entries = await Promise.all(refs.map((r) => ctx.store.xref.get(r)));
  return [...new Set(entries.flatMap((e) => (e ? [e.mpiId] : [])))];
}

/**
 * Whether a not-a-match constraint forbids linking to a golden record.
 * @param golden - candidate golden record
 * @param constraints - the probe's constraints
 */
export function forbidden(golden: StoredGolden, constraints: NotAMatch[]): boolean {
  return constraints.some((c) => c.mpiId === golden.mpiId || golden.sourceKeys.some((k) => c.otherSourceKeys.includes(k)));
}

/**
 * Choose where a probe goes: not-a-match constraints first, then the leading candidate — one whose
 * golden record holds a shared identifier, else the best — and the one decision of the rule set.
 * @param ctx - registry context (rules)
 * @param scored - candidates, best first
 * @param opts - identifier-matched golden records, constraints of the probe
 */
export function chooseLink(ctx: RegistryContext, scored: ScoredGolden[], opts: { xref: string[]; constraints: NotAMatch[] }): LinkChoice {
  const rules = ctx.cfg.rules;
  const allowed = scored.filter((s) => !forbidden(s.golden, opts.constraints));
  const inXref = (s: ScoredGolden): boolean => opts.xref.includes(s.golden.mpiId);
  const lead = allowed.find((s) => inXref(s) && s.result.identifierRule !== 'conflict') ??
    allowed.find((s) => s.result.identifierRule === 'same') ?? allowed[0];
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
 */
export function toMatchCandidate(ctx: RegistryContext, s: ScoredGolden): MatchCandidate {
  return {
    mpiId: s.golden.mpiId,
    golden: publicGolden(s.golden),
    score: s.result.probability,
    weight: s.result.weight,
    grade: gradeOf(ctx, s.result),
    explanation: s.result.fields,
    matchedSourceKey: s.matchedSourceKey,
  };
}
