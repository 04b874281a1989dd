/**
 * Finding and scoring a probe's candidates with ONE lookup: the records filed under its blocking keys
 * and identifiers, and the cross-reference entries of its identifiers. A block larger than `refineAt`
 * is narrowed to the records sharing the probe's refinement code (given initial, sex, birth month);
 * a block known to be large is asked for that way directly (blocks only grow, so the answer is the
 * same), and anything still above `blockCap` is cut in key order with a warning, never silently.
 * Golden records holding the probe's identifiers (and any the caller names) are read and scored on
 * every member. Each candidate golden record's best member decides its score.
 */
import type { MatchFeatures, MatchModel, MatchResult } from './matching/contract';
import { agreementTreatment } from './matching/decide';
import type { RegistryContext } from './context';
import type { ChangeBuilder } from './change-builder';
import type { LookupQuery, LookupResult, SourceView, StoredGolden, XrefEntry } from './store';
import type { ScoredGolden } from './candidates';
import { lookupKey, parseIdentifierKey } from './keys';
import { indexResult } from './lookup-query';

/** What a candidate search starts from. */
export interface Probe {
  features: MatchFeatures;
  /** Identifier keys (`system|value`) of the probe, its own key included. */
  identifierKeys: string[];
  /** The probe's own source key: never its own candidate. */
  ownKey?: string;
}

/** What a candidate search found. */
export interface CandidateSearch {
  /** Best comparison per candidate golden record, best first. */
  scored: ScoredGolden[];
  /**
   * Golden records holding one of the probe's identifiers in the cross-reference, in a system whose
   * shared value proves one person (agreementTreatment: not a hand-typed number).
   */
  xref: string[];
  /** The probe's own stored source record, if it exists. */
  self: SourceView | null;
  /** Source keys known to belong to a candidate golden record (for not-a-match constraints). */
  membersOf: (mpiId: string) => string[];
}

interface Candidate {
  key: string;
  goldenId: string;
  features: MatchFeatures;
}

/**
 * The one lookup query of a probe: its blocking keys (large blocks through its refinement code)
 * and its identifiers (source records carrying them, and their cross-reference entries).
 * @param ctx - registry context (engine, known large blocks)
 * @param probe - the probe
 * @param rf - its refinement code
 */
export function lookupQuery(ctx: RegistryContext, probe: Probe, rf = ctx.blocking(probe.features).rf): { query: LookupQuery; coarse: string[] } {
  const coarse = ctx.blocking(probe.features).keys;
  const large = rf === '' ? [] : coarse.filter((k) => ctx.largeBlocks.has(k));
  const small = coarse.filter((k) => !large.includes(k)).map(lookupKey.blocking);
  const ids = probe.identifierKeys.flatMap((k) => [lookupKey.identifier(k), lookupKey.xref(k)]);
  const query: LookupQuery = { keys: [...small, ...ids] };
  if (large.length > 0) query.refined = [{ keys: large.map(lookupKey.blocking), rf }];
  return { query, coarse };
}

/** The records under one blocking key, narrowed to the refinement code when large, capped. */
function blockHits(ctx: RegistryContext, key: string, hits: SourceView[], rf: string): SourceView[] {
  let out = hits;
  if (ctx.largeBlocks.has(key) || (rf !== '' && hits.length > ctx.cfg.refineAt)) {
    if (!ctx.largeBlocks.has(key)) {
      ctx.noteLargeBlock(key);
      ctx.logger.debug?.({ blockKind: key.split(':')[0], size: hits.length }, 'large block split by its refined key');
    }
    out = hits.filter((s) => s.rf === rf);
  }
  if (out.length > ctx.cfg.blockCap) {
    ctx.logger.warn({ blockKind: key.split(':')[0], cap: ctx.cfg.blockCap }, 'blocking key over-full; truncated at cap');
    out = [...out].sort((a, b) => (a.key < b.key ? -1 : 1)).slice(0, ctx.cfg.blockCap);
  }
  return out;
}

function candidatesOf(ctx: RegistryContext, probe: Probe, result: LookupResult, coarse: string[], rf: string): Map<string, SourceView> {
  const { byKey } = indexResult(result);
  const out = new Map<string, SourceView>();
  for (const k of coarse) for (const s of blockHits(ctx, k, byKey.get(lookupKey.blocking(k)) ?? [], rf)) out.set(s.key, s);
  for (const id of probe.identifierKeys) for (const s of byKey.get(lookupKey.identifier(id)) ?? []) out.set(s.key, s);
  return out;
}

/**
 * Weigh every candidate with the fast scorer and keep, per golden record, the members of highest
 * weight (ties kept: the identifier rule breaks them); only those are compared in full.
 */
function bestPerGolden(ctx: RegistryContext, features: MatchFeatures, model: MatchModel, candidates: Candidate[]): ScoredGolden[] {
  const top = new Map<string, { weight: number; list: Candidate[] }>();
  for (const c of candidates) {
    const weight = ctx.engine.weight(features, c.features, model);
    const cur = top.get(c.goldenId);
    if (!cur || weight > cur.weight) top.set(c.goldenId, { weight, list: [c] });
    else if (weight === cur.weight) cur.list.push(c);
  }
  const best: ScoredGolden[] = [];
  for (const [mpiId, t] of top) {
    let chosen: ScoredGolden | null = null;
    for (const c of t.list) {
      const result = ctx.engine.compare(features, c.features, model);
      if (!chosen || better(result, chosen.result)) chosen = { mpiId, result, matchedSourceKey: c.key };
    }
    if (chosen) best.push(chosen);
  }
  return best.sort((a, b) => (better(a.result, b.result) ? -1 : better(b.result, a.result) ? 1 : a.mpiId < b.mpiId ? -1 : 1));
}

function rank(r: MatchResult): number {
  return r.identifierRule === 'same' ? 2 : r.identifierRule === 'conflict' ? 0 : 1;
}

/**
 * Whether result `a` beats `b`: probability, then weight, then the identifier rule.
 * @param a - a comparison result
 * @param b - another
 */
export function better(a: MatchResult, b: MatchResult): boolean {
  return a.probability !== b.probability ? a.probability > b.probability : a.weight !== b.weight ? a.weight > b.weight : rank(a) > rank(b);
}

/** Golden records holding one of the entries' identifiers in a system whose shared value proves one person. */
function provingHolders(ctx: RegistryContext, model: MatchModel, entries: XrefEntry[]): string[] {
  const proves = (key: string): boolean => {
    const { system } = parseIdentifierKey(key);
    return agreementTreatment(system, model.identifierSystems?.[system]?.reliable === false, ctx.cfg.rules).proves;
  };
  return [...new Set(entries.filter((e) => proves(e.key)).map((e) => e.mpiId))];
}

async function readGoldens(ctx: RegistryContext, ids: string[], b: ChangeBuilder | undefined): Promise<StoredGolden[]> {
  if (ids.length === 0) return [];
  if (!b) return ctx.store.records.goldens(ids);
  await b.preloadGoldens(ids);
  const out: StoredGolden[] = [];
  for (const id of ids) {
    const g = await b.golden(id);
    if (g) out.push(g);
  }
  return out;
}

/** A lookup's outcome before scoring. */
export interface FoundCandidates {
  probe: Probe;
  sources: Map<string, SourceView>;
  /** Cross-reference entries of the probe's identifiers: which golden record holds each. */
  xref: XrefEntry[];
  self: SourceView | null;
}

/**
 * The one lookup of a probe: its candidate sources, the holders of its identifiers and itself.
 * @param ctx - registry context
 * @param probe - features and identifiers of the record
 * @param b - the change being built (the lookup is remembered for its check), if any
 */
export async function lookupCandidates(ctx: RegistryContext, probe: Probe, b?: ChangeBuilder): Promise<FoundCandidates> {
  const rf = ctx.blocking(probe.features).rf;
  const { query, coarse } = lookupQuery(ctx, probe, rf);
  const result = await ctx.store.records.lookup(query);
  b?.noteLookup(query, result);
  return {
    probe,
    sources: candidatesOf(ctx, probe, result, coarse, rf),
    xref: result.xref,
    self: result.sources.find((s) => s.key === probe.ownKey) ?? null,
  };
}

/**
 * Score what a lookup found; golden records holding the probe's identifiers, and `extraGoldens`,
 * are read and scored on every member.
 * @param ctx - registry context
 * @param found - the lookup's outcome
 * @param model - the match model
 * @param opts - the change being built (reads go through it) and golden records to score in any case
 */
export async function scoreCandidates(ctx: RegistryContext, found: FoundCandidates, model: MatchModel, opts: { b?: ChangeBuilder; extraGoldens?: string[] } = {}): Promise<CandidateSearch> {
  const { probe } = found;
  const goldens = await readGoldens(ctx, [...new Set([...found.xref.map((e) => e.mpiId), ...(opts.extraGoldens ?? [])])], opts.b);
  const members = new Map<string, string[]>();
  const pool: Candidate[] = [];
  for (const s of found.sources.values()) {
    if (!s.active || !s.goldenId || s.key === probe.ownKey) continue;
    pool.push({ key: s.key, goldenId: s.goldenId, features: s.features });
    members.set(s.goldenId, [...(members.get(s.goldenId) ?? []), s.key]);
  }
  for (const g of goldens.filter((x) => x.status === 'active')) {
    members.set(g.mpiId, g.sourceKeys);
    for (const m of g.members) if (m.active && m.key !== probe.ownKey && !found.sources.has(m.key)) pool.push({ key: m.key, goldenId: g.mpiId, features: m.features });
  }
  return {
    scored: bestPerGolden(ctx, probe.features, model, pool),
    xref: provingHolders(ctx, model, found.xref),
    self: found.self,
    membersOf: (mpiId) => members.get(mpiId) ?? [],
  };
}

/**
 * Find and score a probe's candidates (lookup, then scoring).
 * @param ctx - registry context
 * @param probe - features and identifiers of the record
 * @param model - the match model
 * @param opts - the change being built and golden records to score in any case
 */
export async function searchCandidates(ctx: RegistryContext, probe: Probe, model: MatchModel, opts: { b?: ChangeBuilder; extraGoldens?: string[] } = {}): Promise<CandidateSearch> {
  return scoreCandidates(ctx, await lookupCandidates(ctx, probe, opts.b), model, opts);
}
