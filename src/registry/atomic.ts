/**
 * All-or-nothing units of work over several identity operations (a FHIR transaction Bundle, a page
 * of a bulk registration). A unit runs the ordinary registry operations against a staging view
 * (staging/overlay.ts); when every step succeeded, their changes are folded into ONE change — all
 * their writes, history, events, leases and guards, and the committed part of their lookups as its
 * check — and committed like any other. If a step fails, nothing was written: the staged state is
 * dropped. If the folded change loses a race (a lease, a version, its check), the unit is redone.
 */
import { MediatorError } from '../core/errors';
import type { Actor } from '../core/types';
import type { RegistryContext } from './context';
import { commitAndApply, giveUpIfLate, unlessStale } from './change-runner';
import type { Change, EventRecord, LookupCheck, RecordWrites, RegistryStore, XrefEntry } from './store';
import { createStagingStore } from './staging/overlay';

function lastPer<T>(docs: T[], idOf: (d: T) => string): T[] {
  return [...new Map(docs.map((d) => [idOf(d), d])).values()];
}

function foldWrites(changes: Change[], seq: number): RecordWrites {
  const xref = new Map<string, { put?: XrefEntry; del?: XrefEntry }>();
  for (const c of changes) {
    for (const e of c.writes.xrefDel) xref.set(e.key, { del: e });
    for (const e of c.writes.xrefPut) xref.set(e.key, { put: e });
  }
  return {
    // The folded change is every record's newest writer: its logical time goes on them.
    sources: lastPer(changes.flatMap((c) => c.writes.sources), (s) => s.key).map((s) => ({ ...s, seq })),
    goldens: lastPer(changes.flatMap((c) => c.writes.goldens), (g) => g.mpiId).map((g) => ({ ...g, seq })),
    xrefPut: [...xref.values()].flatMap((x) => (x.put ? [x.put] : [])),
    xrefDel: [...xref.values()].flatMap((x) => (x.del ? [x.del] : [])),
  };
}

/** Events with their history indexes shifted to the folded history. */
function shiftEvents(events: EventRecord[], offset: number): EventRecord[] {
  return events.map((e) => {
    if (e.body.kind !== 'pmir') return e;
    const b = e.body;
    return { ...e, body: { ...b, golden: b.golden < 0 ? b.golden : b.golden + offset, sources: b.sources.map((i) => i + offset), ...(b.other !== undefined ? { other: b.other + offset } : {}) } };
  });
}

/**
 * Fold staged changes into one.
 * @param changes - the staged changes, in order
 * @param ctx - registry context (ids, clock, logical time)
 * @param actor - who performs the unit
 * @param check - the committed results of the unit's lookups (null when it made none)
 * @param operation - the folded change's operation name
 */
export function foldChanges(changes: Change[], ctx: RegistryContext, actor: Actor, check: LookupCheck | null, operation = 'transaction'): Change {
  const seq = ctx.nextSeq(Math.max(0, ...changes.map((c) => c.seq)));
  const history: Change['history'] = [];
  const events: EventRecord[] = [];
  for (const c of changes) {
    events.push(...shiftEvents(c.events, history.length));
    // Each version keeps the operation of the step that wrote it (a merge stays a merge in history).
    history.push(...c.history.map((h) => ({ ...h, operation: h.operation ?? c.operation })));
  }
  const created = changes.some((c) => c.check !== undefined);
  return {
    id: ctx.newId(), seq, at: ctx.clock.now().toISOString(), operation, actor,
    // The steps, with the reasons given for manual ones (merge, link...).
    reason: changes.map((c) => (c.reason ? `${c.operation} (${c.reason})` : c.operation)).join(', '),
    leases: [...new Set(changes.flatMap((c) => c.leases))].sort(),
    guards: changes.flatMap((c) => c.guards),
    writes: foldWrites(changes, seq),
    reviews: lastPer(changes.flatMap((c) => c.reviews), (r) => r.id),
    merges: lastPer(changes.flatMap((c) => c.merges), (m) => m.id),
    history, events,
    ...(created && check ? { check } : {}),
    applied: false, unpublished: events.map((e) => e.id),
  };
}

/** Options of a unit of work. */
export interface UnitOptions {
  /** Name of the folded change (`transaction`, `bulk-register`…). */
  operation?: string;
  /** The view of the committed store to stage over, made afresh for each attempt (a page's prefetch). */
  prepare?: (base: RegistryStore) => Promise<RegistryStore>;
}

/**
 * Run `work` as one unit: it gets a registry context over a staging view; its changes commit as
 * one change when it returns, and are dropped when it throws.
 * @param ctx - the registry context over the committed store
 * @param actor - who performs the unit (change log, history)
 * @param work - the unit's steps, given the staged context
 * @param opts - the folded change's name and the base view to stage over
 */
export async function runAtomically<T>(ctx: RegistryContext, actor: Actor, work: (staged: RegistryContext) => Promise<T>, opts: UnitOptions = {}): Promise<T> {
  if (ctx.unit) return work(ctx);
  const deadline = Date.now() + ctx.cfg.leaseWaitMs;
  for (let attempt = 0; ; attempt++) {
    const staging = createStagingStore(opts.prepare ? await opts.prepare(ctx.store) : ctx.store);
    const attempted = await unlessStale(ctx, () => work({ ...ctx, store: staging.store, unit: true }));
    if (attempted === null) {
      giveUpIfLate(ctx, attempt, deadline);
      continue;
    }
    const result = attempted.value;
    const changes = staging.changes();
    if (changes.length === 0) return result;
    const folded = foldChanges(changes, ctx, actor, staging.baseCheck(), opts.operation);
    if (Buffer.byteLength(JSON.stringify(folded)) > ctx.cfg.maxUnitBytes) {
      throw new MediatorError('too-large', 'The transaction changes too many records to commit as one unit; split it, or send a batch');
    }
    if (await commitAndApply(ctx, folded, deadline)) return result;
    giveUpIfLate(ctx, attempt, deadline);
  }
}
