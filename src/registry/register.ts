/**
 * Registration of source records: one lookup finds the record itself, its candidates and the
 * holders of its identifiers; then matching on create (link / review / new golden record), nothing
 * on an unchanged re-send, and on an update re-evaluation of an automatic link only when the
 * matching features changed.
 */
import type { Patient } from 'fhir/r4';
import { MediatorError } from '../core/errors';
import type { IdentifierRef } from '../core/types';
import type { BulkItemResult, RegisterSourceInput, RegistrationResult } from './api';
import type { RegistryContext } from './context';
import type { ChangeBuilder } from './change-builder';
import { runChange } from './change-runner';
import { chooseLink, scoredView } from './candidates';
import type { LinkChoice, ScoredGolden } from './candidates';
import { lookupCandidates, scoreCandidates } from './candidate-lookup';
import type { CandidateSearch, FoundCandidates, Probe } from './candidate-lookup';
import type { StoredReview, StoredSource } from './store';
import { identifierKey, leaseKey } from './keys';
import { contentHashOf } from './record-docs';
import { toSearchFields } from './search-fields';
import { publicGolden, publicSource } from './views';
import { reviewOnUpdate, openReview } from './review-tasks';
import { jsonClone } from '../core/json-clone';

/** Input of registerSource (see RegistryService). */
export type RegisterInput = RegisterSourceInput;

function sourceIdentifier(input: Pick<RegisterInput, 'patient' | 'sourceIdentifier'>): IdentifierRef {
  const id = input.sourceIdentifier ?? input.patient.identifier?.find((i) => i.system && i.value);
  if (!id?.system || !id.value) throw new MediatorError('invalid', 'a source Patient needs an identifier with system and value');
  return { system: id.system, value: id.value };
}

function identifierKeysOf(p: Patient, ref: IdentifierRef): string[] {
  const keys = new Set([identifierKey(ref)]);
  for (const i of p.identifier ?? []) if (i.system && i.value) keys.add(identifierKey({ system: i.system, value: i.value }));
  return [...keys];
}

/**
 * What a registration looks up: the record's features, identifiers and own key.
 * @param ctx - registry context
 * @param input - the registration
 */
export function probeOf(ctx: RegistryContext, input: Pick<RegisterInput, 'patient' | 'sourceIdentifier'>): Probe & { ownKey: string; ref: IdentifierRef } {
  const ref = sourceIdentifier(input);
  return { ref, ownKey: identifierKey(ref), features: ctx.features(input.patient), identifierKeys: identifierKeysOf(input.patient, ref) };
}

/**
 * Register or update a source record.
 * @param ctx - registry context
 * @param input - the Patient, its source system and options
 */
export async function registerSource(ctx: RegistryContext, input: RegisterInput): Promise<RegistrationResult> {
  const probe = probeOf(ctx, input);
  const { ref, ownKey: key } = probe;
  const leases = [...ctx.blocking(probe.features).keys.map(leaseKey.blocking), ...probe.identifierKeys.map(leaseKey.identifier)];
  return runChange(ctx, { operation: 'register', actor: input.actor, leases }, async (b) => {
    const found = await lookupCandidates(ctx, probe, b);
    const current = found.self ? await b.source(key) : null;
    if (input.expectedVersion !== undefined && current?.version !== input.expectedVersion) {
      throw new MediatorError('precondition-failed', `Version conflict: current version is ${current?.version ?? 'none'}`, { version: current?.version ?? null });
    }
    b.operation = current ? 'update' : 'create';
    return current ? updateSource(ctx, b, current, input, found) : createSource(ctx, b, ref, input, found);
  });
}

/**
 * Register a page of source records, in order, each as its own change; a refused record is reported
 * in its slot and the page goes on. Unexpected failures (the store is down) still reject the page.
 * @param ctx - registry context
 * @param inputs - the page
 */
export async function registerEach(ctx: RegistryContext, inputs: RegisterInput[]): Promise<BulkItemResult[]> {
  const results: BulkItemResult[] = [];
  for (const input of inputs) {
    try {
      results.push({ ok: true, result: await registerSource(ctx, input) });
    } catch (err) {
      if (!(err instanceof MediatorError) || err.code === 'internal' || err.code === 'unavailable') throw err;
      results.push({ ok: false, error: { code: err.code, message: err.message } });
    }
  }
  return results;
}

async function createSource(ctx: RegistryContext, b: ChangeBuilder, ref: IdentifierRef, input: RegisterInput, found: FoundCandidates): Promise<() => RegistrationResult> {
  const search = await scoreCandidates(ctx, found, await ctx.model(), { b });
  const choice: LinkChoice = input.forceCreate
    ? { decision: { outcome: 'new', reason: 'forced' }, reviewCandidates: [] }
    : chooseLink(ctx, search.scored, { xref: search.xref, constraints: [], membersOf: search.membersOf });
  const src: StoredSource = {
    key: identifierKey(ref), id: ctx.newId(), system: ref.system, value: ref.value, sourceSystem: input.sourceSystem,
    ...(input.received !== undefined ? { received: input.received } : {}),
    patient: jsonClone(input.patient), features: found.probe.features, goldenId: null, linkState: null,
    active: input.patient.active !== false, version: 0, createdAt: b.at, updatedAt: b.at, receivedAt: b.at,
    // Search fields, keys and hash are derived when the change is built (record-docs.ts finishSourceDoc).
    search: toSearchFields({ resourceType: 'Patient' }, '', true, b.at), keys: [], rf: '', contentHash: '', notAMatch: [], seq: 0,
  };
  return linkNew(ctx, b, src, choice, search.scored);
}

async function linkNew(ctx: RegistryContext, b: ChangeBuilder, src: StoredSource, choice: LinkChoice, scored: ScoredGolden[]): Promise<() => RegistrationResult> {
  const best = scored[0];
  if (choice.target) {
    const mpiId = choice.target.mpiId;
    await b.moveSource(src, mpiId, 'auto', choice.target.result.probability);
    b.patientEvent('linked', mpiId);
    return () => result(ctx, b, src.key, mpiId, 'linked', choice.target);
  }
  const golden = b.createGolden();
  await b.moveSource(src, golden.mpiId, 'auto');
  b.patientEvent('created', golden.mpiId);
  if (choice.decision.outcome !== 'review') return () => result(ctx, b, src.key, golden.mpiId, 'created', best);
  const task = openReview(ctx, b, src, choice.reviewCandidates, golden.mpiId);
  return () => ({ ...result(ctx, b, src.key, golden.mpiId, 'review', best), reviewTaskId: task.id });
}

function result(ctx: RegistryContext, b: ChangeBuilder, key: string, mpiId: string, outcome: RegistrationResult['outcome'], best: ScoredGolden | undefined): RegistrationResult {
  const source = b.stagedSource(key) as StoredSource;
  const golden = b.stagedGolden(mpiId);
  if (!golden) throw new MediatorError('internal', 'golden record not staged');
  return {
    source: publicSource(source), golden: publicGolden(golden), outcome, created: outcome === 'created' || outcome === 'review',
    ...(best ? { best: scoredView(ctx, best) } : {}),
  };
}

function withTask(r: RegistrationResult, task: StoredReview | null): RegistrationResult {
  return task ? { ...r, reviewTaskId: task.id } : r;
}

async function updateSource(ctx: RegistryContext, b: ChangeBuilder, current: StoredSource, input: RegisterInput, found: FoundCandidates): Promise<() => RegistrationResult> {
  const active = input.patient.active !== false;
  if (current.contentHash === contentHashOf(input.patient) && current.active === active && current.goldenId) {
    const golden = await b.golden(current.goldenId);
    return () => ({ source: publicSource(current), golden: publicGolden(golden as NonNullable<typeof golden>), outcome: 'unchanged', created: false });
  }
  const features = found.probe.features;
  const featuresChanged = JSON.stringify(features) !== JSON.stringify(current.features);
  const next: StoredSource = { ...current, patient: jsonClone(input.patient), features, active, receivedAt: b.at };
  if (input.received !== undefined) next.received = input.received;
  const from = current.goldenId;
  let review: ScoredGolden[] = [];
  if (active && (!from || (featuresChanged && current.linkState === 'auto'))) {
    const search = await scoreCandidates(ctx, found, await ctx.model(), { b, extraGoldens: from ? [from] : [] });
    const re = await reevaluate(ctx, b, next, from, search);
    review = re.review;
    if (re.target !== from && next.goldenId) {
      // Moved: to re.target, or to a new golden record (re.target null); either way next.goldenId.
      const mpiId = next.goldenId;
      const task = await reviewOnUpdate(ctx, b, next, review, mpiId);
      const outcome = re.target ? 'linked' : task ? 'review' : 'created';
      return () => withTask(result(ctx, b, next.key, mpiId, outcome, undefined), task);
    }
  }
  b.stageSource(next);
  const standing = next.goldenId as string;
  const g = await b.golden(standing);
  if (g) b.stageGolden(g);
  // A deactivated source stays referenced by its golden record but no longer feeds it.
  b.patientEvent(current.active && !active ? 'deactivated' : 'updated', standing);
  const task = await reviewOnUpdate(ctx, b, next, review, standing);
  return () => withTask(result(ctx, b, next.key, standing, 'updated', undefined), task);
}

/**
 * Re-decide where an updated (or re-activated) automatic source belongs; stages a move if needed.
 * @returns `target`: the new MPI ID when moved to an existing golden record, null when moved to a
 * new one, or `from` when it stays; `review`: the candidates of a `review` decision (else empty)
 */
async function reevaluate(ctx: RegistryContext, b: ChangeBuilder, src: StoredSource, from: string | null, search: CandidateSearch): Promise<{ target: string | null; review: ScoredGolden[] }> {
  // The current golden record holds this source's identifiers because of this source: not evidence.
  const xref = search.xref.filter((m) => m !== from);
  const choice = chooseLink(ctx, search.scored, { xref, constraints: src.notAMatch, membersOf: search.membersOf });
  const target = choice.target?.mpiId;
  const review = choice.decision.outcome === 'review' ? choice.reviewCandidates : [];
  if (target && target !== from) {
    await b.moveSource(src, target, 'auto', choice.target?.result.probability);
    b.patientEvent('linked', target);
    return { target, review };
  }
  const alone = from ? (await b.golden(from))?.sourceKeys.every((k) => k === src.key) : false;
  if ((!from || (choice.decision.outcome === 'new' && !alone)) && target !== from) {
    const golden = b.createGolden();
    await b.moveSource(src, golden.mpiId, 'auto');
    b.patientEvent(from ? 'unlinked' : 'created', golden.mpiId);
    return { target: null, review };
  }
  return { target: from, review };
}
