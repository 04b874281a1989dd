/**
 * Registration of source records: matching on create (link / review / new golden record), a new
 * version on re-send, and re-evaluation of an automatic link only when the matching features changed.
 */
import type { Identifier, Patient } from 'fhir/r4';
import { MediatorError } from '../core/errors';
import type { IdentifierRef } from '../core/types';
import type { BulkItemResult, RegisterSourceInput, RegistrationResult } from './ports';
import type { RegistryContext } from './context';
import type { ChangeBuilder } from './change-builder';
import { runChange } from './journal';
import { decide, scoreCandidates, toMatchCandidate, xrefGoldens } from './candidates';
import type { Decision, ScoredGolden } from './candidates';
import type { StoredReview, StoredSource } from './store';
import { toSearchFields } from './search-fields';
import { publicGolden, publicSource } from './views';

/** Input of registerSource (see RegistryService). */
export type RegisterInput = RegisterSourceInput;

function sourceIdentifier(input: RegisterInput): IdentifierRef {
  const id = input.sourceIdentifier ?? input.patient.identifier?.find((i) => i.system && i.value);
  if (!id?.system || !id.value) {
    throw new MediatorError('invalid', 'a source Patient needs an identifier with system and value');
  }
  return { system: id.system, value: id.value };
}

function contentOf(p: Patient): string {
  const { meta: _m, id: _i, link: _l, ...rest } = p;
  return JSON.stringify(rest);
}

/**
 * Claim keys of a registration: blocking keys, identifiers and the source key itself.
 * @param ctx - registry context
 * @param key - source key
 * @param patients - new (and previous) Patient
 */
function lockKeys(ctx: RegistryContext, key: string, patients: Patient[]): string[] {
  const keys = [`src:${key}`];
  for (const p of patients) {
    keys.push(...ctx.engine.blockingKeys(ctx.features(p)).map((k) => `b:${k}`));
    keys.push(...(p.identifier ?? []).filter((i) => i.system && i.value).map((i) => `i:${i.system as string}|${i.value as string}`));
  }
  return keys;
}

/**
 * Register or update a source record.
 * @param ctx - registry context
 * @param input - the Patient, its source system and options
 */
export async function registerSource(ctx: RegistryContext, input: RegisterInput): Promise<RegistrationResult> {
  const ref = sourceIdentifier(input);
  const key = `${ref.system}|${ref.value}`;
  const existing = await ctx.store.sources.get(key);
  const patients = existing ? [input.patient, existing.patient] : [input.patient];
  return runChange(ctx, { operation: existing ? 'update' : 'create', actor: input.actor, locks: lockKeys(ctx, key, patients) }, async (b) => {
    const current = await b.source(key);
    if (input.expectedVersion !== undefined && current?.version !== input.expectedVersion) {
      throw new MediatorError('precondition-failed', 'source record version does not match', { version: current?.version ?? null });
    }
    return current ? updateSource(ctx, b, current, input) : createSource(ctx, b, key, ref, input);
  });
}

/**
 * Register a page of source records, in order, each as its own change; a refused record is reported
 * in its slot and the page goes on. Unexpected failures (the store is down) still reject the page.
 * @param ctx - registry context
 * @param inputs - the page
 */
export async function registerMany(ctx: RegistryContext, inputs: RegisterInput[]): Promise<BulkItemResult[]> {
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

function identifiersWithKey(p: Patient, ref: IdentifierRef): Identifier[] {
  return [...(p.identifier ?? []), { system: ref.system, value: ref.value }];
}

async function createSource(ctx: RegistryContext, b: ChangeBuilder, key: string, ref: IdentifierRef, input: RegisterInput): Promise<() => RegistrationResult> {
  const model = await ctx.model();
  const features = ctx.features(input.patient);
  const xref = await xrefGoldens(ctx, identifiersWithKey(input.patient, ref));
  const scored = await scoreCandidates(ctx, features, model, { excludeSourceKey: key, extraGoldens: xref });
  const decision: Decision = input.forceCreate ? { action: 'new', reviewCandidates: [], deterministic: false } : decide(ctx, scored, { xref, constraints: [] });
  const src: StoredSource = {
    key,
    id: ctx.newId(),
    system: ref.system,
    value: ref.value,
    sourceSystem: input.sourceSystem,
    ...(input.received !== undefined ? { received: input.received } : {}),
    patient: structuredClone(input.patient),
    features,
    goldenId: null,
    linkState: null,
    active: input.patient.active !== false,
    version: 0,
    createdAt: b.at,
    updatedAt: b.at,
    receivedAt: b.at,
    search: toSearchFields(input.patient, '', true, b.at),
  };
  return linkNew(ctx, b, src, decision, scored);
}

async function linkNew(ctx: RegistryContext, b: ChangeBuilder, src: StoredSource, decision: Decision, scored: ScoredGolden[]): Promise<() => RegistrationResult> {
  const best = scored[0];
  if (decision.action === 'link' && decision.target) {
    const mpiId = decision.target.golden.mpiId;
    await b.moveSource(src, mpiId, 'auto', decision.target.result.probability);
    b.patientEvent('linked', mpiId);
    return () => result(ctx, b, src.key, mpiId, 'linked', decision.target);
  }
  const golden = b.createGolden();
  await b.moveSource(src, golden.mpiId, 'auto');
  b.patientEvent('created', golden.mpiId);
  if (decision.action !== 'review') {
    return () => result(ctx, b, src.key, golden.mpiId, 'created', best);
  }
  const task = openReview(ctx, b, src, decision.reviewCandidates, golden.mpiId);
  return () => ({ ...result(ctx, b, src.key, golden.mpiId, 'review', best), reviewTaskId: task.id });
}

/**
 * Stage a review task about a source record and its `review.opened` event.
 * @param ctx - registry context
 * @param b - change builder
 * @param src - the source record
 * @param candidates - candidate golden records
 * @param mpiId - the source's own golden record (event key)
 */
export function openReview(ctx: RegistryContext, b: ChangeBuilder, src: StoredSource, candidates: ScoredGolden[], mpiId: string): StoredReview {
  const task: StoredReview = {
    id: ctx.newId(),
    sourceKey: src.key,
    sourceSystem: src.sourceSystem,
    candidates: candidates.map((c) => ({ mpiId: c.golden.mpiId, score: c.result.probability, weight: c.result.weight, explanation: c.result.fields })),
    state: 'open',
    version: 1,
    createdAt: b.at,
    updatedAt: b.at,
  };
  b.addOp({ op: 'review', doc: task }, `r|${task.id}|1`);
  b.reviewEvent('opened', mpiId, { id: task.id, sourceId: src.id, candidates: task.candidates.map((c) => c.mpiId) });
  return task;
}

function result(ctx: RegistryContext, b: ChangeBuilder, key: string, mpiId: string, outcome: RegistrationResult['outcome'], best: ScoredGolden | undefined): RegistrationResult {
  const source = b.stagedSource(key) as StoredSource;
  const golden = b.stagedGolden(mpiId);
  if (!golden) {
    throw new MediatorError('internal', 'golden record not staged');
  }
  return { source: publicSource(source), golden: publicGolden(golden), outcome, created: outcome === 'created' || outcome === 'review', ...(best ? { best: toMatchCandidate(ctx, best) } : {}) };
}

async function updateSource(ctx: RegistryContext, b: ChangeBuilder, current: StoredSource, input: RegisterInput): Promise<() => RegistrationResult> {
  const active = input.patient.active !== false;
  if (contentOf(current.patient) === contentOf(input.patient) && current.active === active && current.goldenId) {
    const golden = await ctx.store.goldens.get(current.goldenId);
    return () => ({ source: publicSource(current), golden: publicGolden(golden as NonNullable<typeof golden>), outcome: 'unchanged', created: false });
  }
  const features = ctx.features(input.patient);
  const featuresChanged = JSON.stringify(features) !== JSON.stringify(current.features);
  const next: StoredSource = { ...current, patient: structuredClone(input.patient), features, active, receivedAt: b.at };
  if (input.received !== undefined) {
    next.received = input.received;
  }
  const from = current.goldenId;
  let review: ScoredGolden[] = [];
  if (active && (!from || (featuresChanged && current.linkState === 'auto'))) {
    const re = await reevaluate(ctx, b, next, from);
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
  await touchGolden(b, standing);
  // A deactivated source stays referenced by its golden record but no longer feeds it.
  b.patientEvent(current.active && !active ? 'deactivated' : 'updated', standing);
  const task = await reviewOnUpdate(ctx, b, next, review, standing);
  return () => withTask(result(ctx, b, next.key, standing, 'updated', undefined), task);
}

function withTask(r: RegistrationResult, task: StoredReview | null): RegistrationResult {
  return task ? { ...r, reviewTaskId: task.id } : r;
}

/**
 * After re-evaluation of an updated source: open a review task when other golden records are
 * possible matches, unless an open task about this source already names all of them.
 * @returns the opened task, or null
 */
async function reviewOnUpdate(ctx: RegistryContext, b: ChangeBuilder, src: StoredSource, candidates: ScoredGolden[], mpiId: string): Promise<StoredReview | null> {
  const others = candidates.filter((c) => c.golden.mpiId !== mpiId);
  if (others.length === 0) {
    return null;
  }
  const open = (await ctx.store.reviews.bySource(src.key)).filter((r) => r.state === 'open');
  if (open.some((r) => others.every((c) => r.candidates.some((k) => k.mpiId === c.golden.mpiId)))) {
    return null;
  }
  return openReview(ctx, b, src, others, mpiId);
}

/** Stage a golden record so survivorship is recomputed. */
async function touchGolden(b: ChangeBuilder, mpiId: string): Promise<void> {
  const g = await b.golden(mpiId);
  if (g) {
    b.stageGolden(g);
  }
}

/**
 * Re-decide where an updated (or re-activated) automatic source belongs; stages a move if needed.
 * @returns `target`: the new MPI ID when moved to an existing golden record, null when moved to a
 * new one, or `from` when it stays; `review`: the candidates of a `review` decision (else empty)
 */
async function reevaluate(ctx: RegistryContext, b: ChangeBuilder, src: StoredSource, from: string | null): Promise<{ target: string | null; review: ScoredGolden[] }> {
  const model = await ctx.model();
  const constraints = await ctx.store.constraints.forSource(src.key);
  // The current golden record holds this source's identifiers because of this source: not evidence.
  const xref = (await xrefGoldens(ctx, identifiersWithKey(src.patient, src))).filter((m) => m !== from);
  const scored = await scoreCandidates(ctx, src.features, model, { excludeSourceKey: src.key, extraGoldens: [...xref, ...(from ? [from] : [])] });
  const decision = decide(ctx, scored, { xref, constraints });
  const target = decision.action === 'link' ? decision.target?.golden.mpiId : undefined;
  const review = decision.action === 'review' ? decision.reviewCandidates : [];
  if (target && target !== from) {
    await b.moveSource(src, target, 'auto', decision.target?.result.probability);
    b.patientEvent('linked', target);
    return { target, review };
  }
  const alone = from ? (await b.golden(from))?.sourceKeys.every((k) => k === src.key) : false;
  if ((!from || (decision.action === 'new' && !alone)) && target !== from) {
    const golden = b.createGolden();
    await b.moveSource(src, golden.mpiId, 'auto');
    b.patientEvent(from ? 'unlinked' : 'created', golden.mpiId);
    return { target: null, review };
  }
  return { target: from, review };
}
