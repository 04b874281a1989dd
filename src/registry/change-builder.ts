/**
 * Collects one identity change: staged source and golden states, extra ops and events. `build()`
 * derives everything else so no operation can forget it: versions and guards, survivorship of every
 * touched golden record, blocking-index and cross-reference diffs, history entries, and the events.
 */
import type { LinkState } from './ports';
import type { Actor, OutboxEvent } from '../core/types';
import type { RegistryContext } from './context';
import type { Change, ChangeOp, StoredGolden, StoredSource } from './store';
import { blockingDiffOps } from './blocking-ops';
import { xrefDiffOps } from './xref-ops';
import { computeGoldenPatient } from './survivorship';
import { toSearchFields } from './search-fields';
import { changedFields } from './history';
import { buildPatientEvent } from './pmir-event';
import type { PatientEventType } from './pmir-event';
import { buildReviewEvent } from './review-event';
import type { ReviewEventTask, ReviewEventType } from './review-event';
import { retiredPatient } from './pmir-event';

interface Staged<T> {
  before: T | null;
  after: T;
}

/** Builder of one journal change. */
export class ChangeBuilder {
  readonly at: string;
  readonly changeId: string;
  private readonly loadedSources = new Map<string, StoredSource | null>();
  private readonly loadedGoldens = new Map<string, StoredGolden | null>();
  private readonly srcs = new Map<string, Staged<StoredSource>>();
  private readonly golds = new Map<string, Staged<StoredGolden>>();
  private readonly extra: ChangeOp[] = [];
  private readonly extraGuards: string[] = [];
  private readonly eventThunks: Array<() => OutboxEvent> = [];

  /**
   * @param ctx - registry context
   * @param operation - name recorded in history and the journal
   * @param actor - who performs the change
   */
  constructor(
    private readonly ctx: RegistryContext,
    readonly operation: string,
    readonly actor: Actor,
  ) {
    this.at = ctx.clock.now().toISOString();
    this.changeId = ctx.newId();
  }

  /** Working copy of a source record (staged state if staged). */
  async source(key: string): Promise<StoredSource | null> {
    const staged = this.srcs.get(key);
    if (staged) {
      return staged.after;
    }
    if (!this.loadedSources.has(key)) {
      this.loadedSources.set(key, await this.ctx.store.sources.get(key));
    }
    return structuredClone(this.loadedSources.get(key) ?? null);
  }

  /** Working copy of a golden record (staged state if staged). */
  async golden(mpiId: string): Promise<StoredGolden | null> {
    const staged = this.golds.get(mpiId);
    if (staged) {
      return staged.after;
    }
    if (!this.loadedGoldens.has(mpiId)) {
      this.loadedGoldens.set(mpiId, await this.ctx.store.goldens.get(mpiId));
    }
    return structuredClone(this.loadedGoldens.get(mpiId) ?? null);
  }

  /** Stage the new state of a source record. */
  stageSource(doc: StoredSource): void {
    this.srcs.set(doc.key, { before: this.srcs.get(doc.key)?.before ?? this.loadedSources.get(doc.key) ?? null, after: doc });
  }

  /** Stage the new state of a golden record. */
  stageGolden(doc: StoredGolden): void {
    this.golds.set(doc.mpiId, { before: this.golds.get(doc.mpiId)?.before ?? this.loadedGoldens.get(doc.mpiId) ?? null, after: doc });
  }

  /** A new, empty golden record with a fresh MPI ID (staged). */
  createGolden(): StoredGolden {
    const mpiId = this.ctx.mpiIds.generate(this.ctx.clock.now());
    const doc: StoredGolden = {
      mpiId,
      patient: { resourceType: 'Patient', id: mpiId },
      sourceKeys: [],
      status: 'active',
      version: 0,
      createdAt: this.at,
      updatedAt: this.at,
      search: toSearchFields({ resourceType: 'Patient' }, mpiId, true, this.at),
      extraIdentifiers: [],
    };
    this.loadedGoldens.set(mpiId, null);
    this.stageGolden(doc);
    return doc;
  }

  /**
   * Link a source to a golden record (or to none), updating both golden records' source lists.
   * @param src - working copy of the source
   * @param to - target MPI ID or null
   * @param linkState - auto or manual (null when unlinked)
   * @param score - match probability of an automatic link
   */
  async moveSource(src: StoredSource, to: string | null, linkState: LinkState | null, score?: number): Promise<void> {
    if (src.goldenId && src.goldenId !== to) {
      const from = await this.golden(src.goldenId);
      if (from) {
        from.sourceKeys = from.sourceKeys.filter((k) => k !== src.key);
        this.stageGolden(from);
      }
    }
    if (to) {
      const target = await this.golden(to);
      if (target) {
        if (!target.sourceKeys.includes(src.key)) {
          target.sourceKeys = [...target.sourceKeys, src.key].sort();
        }
        this.stageGolden(target);
      }
    }
    src.goldenId = to;
    src.linkState = to ? linkState : null;
    if (score !== undefined && linkState === 'auto') {
      src.linkScore = score;
    } else {
      delete src.linkScore;
    }
    this.stageSource(src);
  }

  /** Add an op outside the derived ones (review, not-a-match, merge log), with its guard if any. */
  addOp(op: ChangeOp, guard?: string): void {
    this.extra.push(op);
    if (guard) {
      this.extraGuards.push(guard);
    }
  }

  /**
   * Emit the patient event of this change, keyed by the MPI ID left standing. It carries the final
   * state of every record the change touched — each golden and source Patient — so that a consumer
   * applying events ends with the MPI's identities (a source moved away changes the golden record
   * it left, too).
   */
  patientEvent(type: PatientEventType, standing: string, other?: { mpiId: string; retiredInto?: string }): void {
    this.eventThunks.push(() => {
      const golden = this.golds.get(standing)?.after;
      const otherDoc = other ? this.golds.get(other.mpiId)?.after : undefined;
      const affected = [...this.golds.values()].map((g) => g.after).filter((g) => g.mpiId !== standing && g.mpiId !== other?.mpiId);
      return buildPatientEvent({
        id: this.ctx.newId(),
        type,
        time: this.at,
        golden: golden?.patient ?? { resourceType: 'Patient', id: standing },
        sources: [...this.srcs.values()].map((s) => s.after.patient),
        affected: affected.map((g) => g.patient),
        ...(otherDoc ? { other: other?.retiredInto ? retiredPatient(otherDoc.patient, other.retiredInto) : otherDoc.patient } : {}),
        sourceEndpoint: `urn:passerelle:${this.ctx.cfg.instance}`,
        ...(this.actor.transactionId ? { transactionId: this.actor.transactionId } : {}),
      });
    });
  }

  /** Emit a review event (references and codes only: no personal data). */
  reviewEvent(type: ReviewEventType, mpiId: string, task: ReviewEventTask): void {
    this.eventThunks.push(() =>
      buildReviewEvent({
        id: this.ctx.newId(), type, time: this.at, mpiId, task, sourceEndpoint: `urn:passerelle:${this.ctx.cfg.instance}`,
        ...(this.actor.transactionId ? { transactionId: this.actor.transactionId } : {}),
      }),
    );
  }

  /** Whether nothing was staged. */
  get empty(): boolean {
    return this.srcs.size === 0 && this.golds.size === 0 && this.extra.length === 0;
  }

  /** Final state of a staged golden record (after build). */
  stagedGolden(mpiId: string): StoredGolden | undefined {
    return this.golds.get(mpiId)?.after;
  }

  /** Final state of a staged source record (after build). */
  stagedSource(key: string): StoredSource | undefined {
    return this.srcs.get(key)?.after;
  }

  /** Derive versions, survivorship, indexes, history and events, and return the change. */
  async build(): Promise<Change> {
    const docs: ChangeOp[] = [];
    const guards: string[] = [...this.extraGuards];
    for (const s of this.srcs.values()) {
      this.finishSource(s);
      guards.push(`s|${s.after.key}|${s.after.version}`);
      docs.push({ op: 'source', doc: s.after });
    }
    for (const g of this.golds.values()) {
      await this.finishGolden(g);
      guards.push(`g|${g.after.mpiId}|${g.after.version}`);
      docs.push({ op: 'golden', doc: g.after });
    }
    // Record documents go last: once a new version is visible, every other op of its change is done
    // (recovery relies on this, see journal.ts).
    const ops = [...(await xrefDiffOps(this.ctx, [...this.golds.values()])), ...this.blockingOps(), ...this.historyOps(), ...this.extra, ...docs];
    const events = this.eventThunks.map((t) => t());
    return { id: this.changeId, at: this.at, operation: this.operation, actor: this.actor, guards, ops, events, applied: false, unpublished: events.map((e) => e.id) };
  }

  private finishSource(s: Staged<StoredSource>): void {
    const doc = s.after;
    doc.version = (s.before?.version ?? 0) + 1;
    doc.updatedAt = this.at;
    const p = doc.patient;
    p.id = doc.id;
    p.meta = { ...p.meta, versionId: String(doc.version), lastUpdated: this.at };
    const links = (p.link ?? []).filter((l) => l.type !== 'refer');
    if (doc.goldenId) {
      links.push({ other: { reference: `Patient/${doc.goldenId}` }, type: 'refer' });
    }
    if (links.length > 0) {
      p.link = links;
    } else {
      delete p.link;
    }
    if (!doc.active) {
      p.active = false;
    }
    doc.search = toSearchFields(p, doc.id, doc.active, this.at);
  }

  private async finishGolden(g: Staged<StoredGolden>): Promise<void> {
    const doc = g.after;
    const staged = doc.sourceKeys.filter((k) => this.srcs.has(k)).map((k) => this.srcs.get(k)?.after as StoredSource);
    const others = await this.ctx.store.sources.getMany(doc.sourceKeys.filter((k) => !this.srcs.has(k)));
    const linked = [...staged, ...others].filter((s) => s.active && s.goldenId === doc.mpiId).sort((a, b) => (a.key < b.key ? -1 : 1));
    if (doc.status !== 'merged') {
      doc.status = linked.length > 0 ? 'active' : 'inactive';
      delete doc.mergedInto;
    }
    doc.version = (g.before?.version ?? 0) + 1;
    doc.updatedAt = this.at;
    doc.patient = computeGoldenPatient(doc, linked, this.ctx.cfg.survivorship);
    doc.patient.meta = { versionId: String(doc.version), lastUpdated: this.at };
    doc.search = toSearchFields(doc.patient, doc.mpiId, doc.status === 'active', this.at);
  }

  private blockingOps(): ChangeOp[] {
    return [...this.srcs.values()].flatMap((s) => blockingDiffOps(this.ctx.engine, s.before, s.after));
  }

  private historyOps(): ChangeOp[] {
    const base = { at: this.at, operation: this.operation, actor: this.actor };
    const src: ChangeOp[] = [...this.srcs.values()].map((s) => ({
      op: 'history',
      entry: { ...base, kind: 'source', id: s.after.id, version: s.after.version, changedFields: changedFields(s.before?.patient, s.after.patient), patient: s.after.patient, ...(s.after.active ? {} : { deleted: true }) },
    }));
    const gold: ChangeOp[] = [...this.golds.values()].map((g) => ({
      op: 'history',
      entry: { ...base, kind: 'golden', id: g.after.mpiId, version: g.after.version, changedFields: changedFields(g.before?.patient, g.after.patient), patient: g.after.patient, status: g.after.status },
    }));
    return [...src, ...gold];
  }
}
