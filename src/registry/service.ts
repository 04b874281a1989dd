/**
 * The registry service (RegistryService of api.ts) over a RegistryStore and the matching engine.
 * Every identity operation is one change of the change log (store.ts), run under leases and guards
 * (change-runner.ts); the helpers are split by concept: register, links, merge, review, relink, history.
 */
import type { Patient } from 'fhir/r4';
import { MediatorError } from '../core/errors';
import type { Actor, IdentifierRef } from '../core/types';
import type { MatchModel } from './matching/contract';
import type { GoldenRecord, MatchCandidate, PatientQuery, PatientSearchResult, RegistryService } from './api';
import type { RegistryDeps, RegistryContext } from './context';
import type { MatchRules } from './matching/rules';
import { createContext } from './context';
import { registerSource } from './register';
import { prefetchFor, registerMany } from './bulk';
import { addIdentifier, deactivateSource, linkSource, patchGolden, unlinkSource } from './links';
import { mergeGoldens, unmergeGolden } from './merge';
import { resolveReview } from './review';
import { readHistory } from './history';
import { relink } from './relink';
import type { RelinkDiff, RelinkOptions } from './relink';
import { recoverChanges } from './change-runner';
import { runAtomically } from './atomic';
import { toMatchCandidate } from './candidates';
import { searchCandidates } from './candidate-lookup';
import { identifierKey } from './keys';
import { createTokenService } from './tokens';
import { mergeSummary, publicGolden, publicReview, publicSource } from './views';

/** RegistryService plus operations used by jobs and the composition root. */
export interface InternalRegistryService extends RegistryService {
  /** Re-apply changes left unapplied by a crash (call at start and periodically). */
  recoverPending(opts?: { graceMs?: number }): Promise<number>;
  /** Re-score automatic links under a model; dry run lists the moves without writing. */
  relink(opts: RelinkOptions): Promise<RelinkDiff[]>;
  /** Store a trained model version; `activate` makes the service use it. */
  saveModel(model: MatchModel, activate: boolean): Promise<void>;
  activateModel(version: string): Promise<void>;
  activeModel(): Promise<MatchModel>;
  /**
   * Replace the decision rules (live configuration) in one step: a decision in progress keeps the
   * rules it read, the next one reads the new ones.
   */
  setMatchRules(rules: MatchRules): void;
}

async function getGolden(ctx: RegistryContext, mpiId: string): Promise<{ golden: GoldenRecord; redirectedFrom?: string } | null> {
  const asked = ctx.mpiIds.validate(mpiId);
  let g = await ctx.store.records.golden(asked);
  for (let hops = 0; g?.status === 'merged' && g.mergedInto && hops < 20; hops++) {
    g = await ctx.store.records.golden(g.mergedInto);
  }
  if (!g) {
    return null;
  }
  return g.mpiId === asked ? { golden: publicGolden(g) } : { golden: publicGolden(g), redirectedFrom: asked };
}

async function match(ctx: RegistryContext, patient: Patient, opts: { count?: number; minScore?: number } = {}): Promise<MatchCandidate[]> {
  const identifierKeys = (patient.identifier ?? []).filter((i) => i.system && i.value).map((i) => identifierKey({ system: i.system as string, value: i.value as string }));
  const search = await searchCandidates(ctx, { features: ctx.features(patient), identifierKeys }, await ctx.model());
  const top = search.scored.filter((s) => s.result.probability >= (opts.minScore ?? 0)).slice(0, opts.count ?? 10);
  const goldens = new Map((await ctx.store.records.goldens(top.map((s) => s.mpiId))).map((g) => [g.mpiId, g]));
  return top.flatMap((s) => {
    const g = goldens.get(s.mpiId);
    return g ? [toMatchCandidate(ctx, s, g)] : [];
  });
}

async function resolveIdentifier(ctx: RegistryContext, id: IdentifierRef): Promise<GoldenRecord | null> {
  const [entry] = await ctx.store.records.xref([identifierKey(id)]);
  if (!entry) {
    return null;
  }
  return (await getGolden(ctx, entry.mpiId))?.golden ?? null;
}

/** The form of stored `lastUpdated` values (Date.toISOString), so string order is time order. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function checkQuery(q: PatientQuery): void {
  if (!Number.isInteger(q.offset) || q.offset < 0 || !Number.isInteger(q.count) || q.count < 0 || q.count > 1000) {
    throw new MediatorError('invalid', 'offset and count must be integers, count at most 1000');
  }
  if (q.lastUpdatedLe !== undefined && (typeof q.lastUpdatedLe !== 'string' || !ISO_INSTANT.test(q.lastUpdatedLe))) {
    throw new MediatorError('invalid', 'lastUpdatedLe must be an ISO 8601 UTC instant (YYYY-MM-DDTHH:mm:ss.sssZ)');
  }
}

/**
 * Documents in the order their ids were asked for (stores answer batch reads in their own order).
 * @param ids - the ids asked for
 * @param docs - what the store returned
 * @param idOf - a document's id
 */
function inOrder<T>(ids: string[], docs: T[], idOf: (d: T) => string): T[] {
  const byId = new Map(docs.map((d) => [idOf(d), d]));
  return ids.flatMap((id) => {
    const d = byId.get(id);
    return d ? [d] : [];
  });
}

/**
 * Build the registry service.
 * @param deps - store, matching engine, default model and injectable clock, ids, logger, MPI ID codec, config
 */
export function createRegistryService(deps: RegistryDeps): InternalRegistryService {
  return serviceFor(createContext(deps));
}

function serviceFor(ctx: RegistryContext): InternalRegistryService {
  const tokens = createTokenService(ctx.store.tokens, ctx.clock);
  return {
    atomically: (actor, work, hints) => runAtomically(ctx, actor, (staged) => work(serviceFor(staged)), hints?.prefetch ? { prepare: prefetchFor(ctx, hints.prefetch) } : {}),
    registerSource: (input) => registerSource(ctx, input),
    registerMany: (inputs) => registerMany(ctx, inputs),
    getSource: async (key) => {
      const s = await ctx.store.records.source(key);
      return s ? publicSource(s) : null;
    },
    getSources: async (keys) => inOrder(keys, await ctx.store.records.sources(keys), (s) => s.key).map(publicSource),
    getGoldens: async (mpiIds) => inOrder(mpiIds, await ctx.store.records.goldens(mpiIds), (g) => g.mpiId).map(publicGolden),
    identifierSystemKnown: async (system) => (await ctx.store.records.byIdentifier({ system }, 1)).length > 0,
    getSourceById: async (id) => {
      const s = await ctx.store.records.sourceById(id);
      return s ? publicSource(s) : null;
    },
    findSourcesByIdentifier: async (id) => {
      if (!id.system && !id.value) {
        throw new MediatorError('invalid', 'identifier search needs a system or a value');
      }
      return (await ctx.store.records.byIdentifier(id, 1000)).map(publicSource);
    },
    deactivateSource: (key, actor, expectedVersion) => deactivateSource(ctx, key, actor, expectedVersion),
    getGolden: (mpiId) => getGolden(ctx, mpiId),
    resolveIdentifier: (id) => resolveIdentifier(ctx, id),
    match: (patient, opts) => match(ctx, patient, opts),
    searchPatients: async (query): Promise<PatientSearchResult> => {
      checkQuery(query);
      return ctx.store.records.search(query);
    },
    link: (sourceKey, mpiId, actor, reason) => linkSource(ctx, sourceKey, mpiId, actor, reason),
    unlink: (sourceKey, actor, reason) => unlinkSource(ctx, sourceKey, actor, reason),
    merge: (survivorId, retiredId, actor, reason) => mergeGoldens(ctx, survivorId, retiredId, actor, reason),
    unmerge: (retiredId, actor, reason) => unmergeGolden(ctx, retiredId, actor, reason),
    addIdentifier: (mpiId, id, actor) => addIdentifier(ctx, mpiId, id, actor),
    patchGolden: (mpiId, patch, actor, expectedVersion) => patchGolden(ctx, mpiId, patch, actor, expectedVersion),
    listReviews: async (filter) => {
      const page = await ctx.store.reviews.list(filter);
      return { total: page.total, items: page.items.map(publicReview) };
    },
    reviewSourceSystems: (state) => ctx.store.reviews.sourceSystems(state),
    mergesInto: async (survivorId) => (await ctx.store.merges.intoSurvivor(ctx.mpiIds.validate(survivorId))).map(mergeSummary),
    getReview: async (id) => {
      const r = await ctx.store.reviews.get(id);
      return r ? publicReview(r) : null;
    },
    resolveReview: (id, decision, actor) => resolveReview(ctx, id, decision, actor),
    history: (kind, id) => readHistory(ctx, kind, id),
    typeHistory: (opts) => ctx.store.changes.allHistory(opts),
    historySince: (opts) => ctx.store.changes.historySince(opts),
    issueToken: async (mpiId: string, actor: Actor) => {
      const found = await getGolden(ctx, mpiId);
      if (!found) {
        throw new MediatorError('not-found', 'unknown MPI ID');
      }
      return tokens.issue(found.golden.mpiId, actor);
    },
    verifyToken: (token) => tokens.verify(token),
    revokeToken: (token, actor) => tokens.revoke(token, actor),
    recoverPending: (opts) => recoverChanges(ctx, opts?.graceMs !== undefined ? { graceMs: opts.graceMs } : {}),
    relink: (opts) => relink(ctx, opts),
    saveModel: async (model, activate) => {
      await ctx.store.models.put({ version: model.version, model, createdAt: ctx.clock.now().toISOString(), active: false });
      if (activate) {
        await ctx.store.models.activate(model.version);
      }
      ctx.invalidateModel();
    },
    activateModel: async (version) => {
      await ctx.store.models.activate(version);
      ctx.invalidateModel();
    },
    activeModel: () => ctx.model(),
    setMatchRules: (rules) => {
      ctx.cfg.rules = rules;
    },
  };
}
