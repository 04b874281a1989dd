/**
 * Collects one identity change: staged source and golden states, review and merge documents, leases
 * and events. `build()` derives everything else so no operation can forget it: versions and guards,
 * each touched golden record's members and survivorship, lookup keys, the cross-reference diff, the
 * history records, the logical time (`seq`) and the lookup check of a change that created a person.
 */
import type { LinkState } from './api';
import type { Actor } from '../core/types';
import type { RegistryContext } from './context';
import type {
  Change, EventRecord, HistoryRecord, LookupQuery, LookupResult, MergeRecord, NotAMatch, StoredGolden, StoredReview, StoredSource,
} from './store';
import { finishGoldenDoc, finishSourceDoc } from './record-docs';
import { xrefDiff } from './xref';
import { derivedLeases, historyRecords } from './change-derivation';
import type { Staged } from './change-derivation';
import { toSearchFields } from './search-fields';
import { guardKey, leaseKey, lookupKey } from './keys';
import { LookupSnapshot, StaleLookupError } from './lookup-snapshot';
import type { PatientEventType } from './pmir-event';
import type { HistoryOperation } from './history';
import { buildReviewEvent } from './review-event';
import type { ReviewEventTask, ReviewEventType } from './review-event';

const XREF_PREFIX = lookupKey.xref('');

/**
 * A working copy of a stored record: its fields can be reassigned freely; its parts (Patient,
 * member snapshots, arrays) are shared with the stored version and are replaced, never changed in
 * place, by every operation and by build().
 * @param doc - the stored record
 */
function workingCopy<T extends object>(doc: T | null): T | null {
  return doc ? { ...doc } : null;
}

/** Builder of one identity change. */
export class ChangeBuilder {
  readonly at: string;
  readonly changeId: string;
  private readonly loadedSources = new Map<string, StoredSource | null>();
  private readonly loadedGoldens = new Map<string, StoredGolden | null>();
  private readonly srcs = new Map<string, Staged<StoredSource>>();
  private readonly golds = new Map<string, Staged<StoredGolden>>();
  private readonly reviewDocs: StoredReview[] = [];
  private readonly mergeDocs: MergeRecord[] = [];
  private readonly extraGuards: string[] = [];
  private readonly leases = new Set<string>();
  private readonly eventSpecs: Array<(history: HistoryRecord[]) => EventRecord> = [];
  /** Cross-reference entries already read (by a lookup): identifier key → holder, or null if none. */
  private readonly knownXref = new Map<string, string | null>();
  /** Its lookups: they must agree with each other, and are its check (lookup-snapshot.ts). */
  private readonly snapshot = new LookupSnapshot();
  private createdGolden = false;
  private readSeq = 0;

  /**
   * @param ctx - registry context
   * @param operation - name recorded in history and the change log (the steward page labels each)
   * @param actor - who performs the change
   */
  constructor(
    private readonly ctx: RegistryContext,
    public operation: HistoryOperation,
    readonly actor: Actor,
  ) {
    this.at = ctx.clock.now().toISOString();
    this.changeId = ctx.newId();
  }

  /** Working copy of a source record (its staged state if staged). */
  async source(key: string): Promise<StoredSource | null> {
    const staged = this.srcs.get(key);
    if (staged) return staged.after;
    if (!this.loadedSources.has(key)) this.noteLoaded(this.loadedSources, key, await this.ctx.store.records.source(key));
    return workingCopy(this.loadedSources.get(key) ?? null);
  }

  /** Working copy of a golden record (its staged state if staged). */
  async golden(mpiId: string): Promise<StoredGolden | null> {
    const staged = this.golds.get(mpiId);
    if (staged) return staged.after;
    if (!this.loadedGoldens.has(mpiId)) this.noteLoaded(this.loadedGoldens, mpiId, await this.ctx.store.records.golden(mpiId));
    return workingCopy(this.loadedGoldens.get(mpiId) ?? null);
  }

  /** Read several golden records in one store call (later `golden()` calls answer from it). */
  async preloadGoldens(mpiIds: string[]): Promise<void> {
    const missing = [...new Set(mpiIds)].filter((id) => !this.loadedGoldens.has(id) && !this.golds.has(id));
    if (missing.length === 0) return;
    const found = new Map((await this.ctx.store.records.goldens(missing)).map((g) => [g.mpiId, g]));
    for (const id of missing) this.noteLoaded(this.loadedGoldens, id, found.get(id) ?? null);
  }

  private noteLoaded<T extends { seq: number }>(map: Map<string, T | null>, id: string, doc: T | null): void {
    map.set(id, doc);
    if (doc && doc.seq > this.readSeq) this.readSeq = doc.seq;
  }

  /**
   * Remember a lookup the decision rests on: its cross-reference entries answer holder questions,
   * and, if the change creates a golden record, it is re-read after commit (LookupCheck).
   * @param query - the lookup asked
   * @param result - what the store returned
   */
  noteLookup(query: LookupQuery, result: LookupResult): void {
    this.snapshot.note(query, result);
    for (const e of result.xref) this.knownXref.set(e.key, e.mpiId);
    // An identifier asked for and not returned has no cross-reference entry: known too.
    for (const k of query.keys) if (k.startsWith(XREF_PREFIX) && !this.knownXref.has(k.slice(XREF_PREFIX.length))) this.knownXref.set(k.slice(XREF_PREFIX.length), null);
    for (const s of result.sources) if (s.seq > this.readSeq) this.readSeq = s.seq;
  }

  /**
   * Record that an identifier key has no cross-reference entry, or which golden holds it.
   * @param key - identifier key
   * @param holder - MPI ID, or null when none
   */
  knowXref(key: string, holder: string | null): void {
    if (!this.knownXref.has(key)) this.knownXref.set(key, holder);
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
      mpiId, patient: { resourceType: 'Patient', id: mpiId }, sourceKeys: [], status: 'active', version: 0,
      createdAt: this.at, updatedAt: this.at, search: toSearchFields({ resourceType: 'Patient' }, mpiId, true, this.at),
      extraIdentifiers: [], members: [], xrefKeys: [], seq: 0,
    };
    this.loadedGoldens.set(mpiId, null);
    this.createdGolden = true;
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
      // A candidate whose golden record cannot be read was found in the middle of another change's
      // apply (its sources written, its new golden record not yet): decide again from fresh reads.
      if (!target) throw new StaleLookupError();
      if (!target.sourceKeys.includes(src.key)) target.sourceKeys = [...target.sourceKeys, src.key].sort();
      this.stageGolden(target);
    }
    src.goldenId = to;
    src.linkState = to ? linkState : null;
    if (score !== undefined && linkState === 'auto') src.linkScore = score;
    else delete src.linkScore;
    this.stageSource(src);
  }

  /**
   * Remember that a source is not the person of a golden record (kept on the source).
   * @param src - working copy of the source
   * @param decision - the constraint
   */
  addNotAMatch(src: StoredSource, decision: NotAMatch): void {
    src.notAMatch = [...src.notAMatch.filter((n) => n.mpiId !== decision.mpiId), decision];
    this.stageSource(src);
  }

  /** Add a review task document (new version) with its guard. */
  addReview(doc: StoredReview): void {
    this.reviewDocs.push(doc);
    this.extraGuards.push(guardKey.review(doc.id, doc.version));
    this.leases.add(leaseKey.review(doc.id));
  }

  /** Add a merge log document (new version) with its guard. */
  addMerge(doc: MergeRecord): void {
    this.mergeDocs.push(doc);
    this.extraGuards.push(guardKey.merge(doc.id, doc.version));
  }

  /** Hold more leases (blocking keys and identifiers of a registration, say). */
  lease(...keys: string[]): void {
    for (const k of keys) this.leases.add(k);
  }

  /**
   * Emit the patient event of this change, keyed by the MPI ID left standing. It carries the new
   * version of every record the change touched — each golden and source Patient — so that a consumer
   * applying events ends with the MPI's identities (a source moved away changes the golden record it
   * left, too: `affected`).
   * @param type - what happened
   * @param standing - the golden record left standing (the survivor of a merge)
   * @param other - the other golden record of a merge/unmerge/unlink (and the survivor a retired one points to)
   */
  patientEvent(type: PatientEventType, standing: string, other?: { mpiId: string; retiredInto?: string }): void {
    this.eventSpecs.push((history) => {
      const idx = (kind: 'source' | 'golden', id: string): number => history.findIndex((h) => h.kind === kind && h.id === id);
      const otherIdx = other ? idx('golden', other.mpiId) : -1;
      const affected = history.flatMap((h, i) => (h.kind === 'golden' && h.id !== standing && h.id !== other?.mpiId ? [i] : []));
      return this.event('patient', `org.passerelle.patient.${type}`, standing, {
        kind: 'pmir', source: `urn:passerelle:${this.ctx.cfg.instance}`, golden: idx('golden', standing),
        sources: history.flatMap((h, i) => (h.kind === 'source' ? [i] : [])),
        ...(otherIdx >= 0 ? { other: otherIdx } : {}), ...(other?.retiredInto ? { retiredInto: other.retiredInto } : {}),
        ...(affected.length > 0 ? { affected } : {}),
      });
    });
  }

  /** Emit a review event: a FHIR message focused on a Task (references and codes only: no personal data). */
  reviewEvent(type: ReviewEventType, mpiId: string, task: ReviewEventTask): void {
    this.eventSpecs.push(() => {
      const e = this.event('review', `org.passerelle.review.${type}`, mpiId, { kind: 'json', payload: {} });
      const message = buildReviewEvent({ id: e.id, type, time: e.time, mpiId, task, sourceEndpoint: `urn:passerelle:${this.ctx.cfg.instance}` });
      return { ...e, body: { kind: 'json', payload: message.payload as Record<string, unknown> } };
    });
  }

  private event(topic: EventRecord['topic'], type: string, key: string, body: EventRecord['body']): EventRecord {
    const tx = this.actor.transactionId;
    return { id: this.ctx.newId(), topic, key, type, subject: key, time: this.at, ...(tx ? { transactionId: tx } : {}), body };
  }

  /** Whether nothing was staged. */
  get empty(): boolean {
    return this.srcs.size === 0 && this.golds.size === 0 && this.reviewDocs.length === 0 && this.mergeDocs.length === 0;
  }

  /** Final state of a staged golden record (after build). */
  stagedGolden(mpiId: string): StoredGolden | undefined {
    return this.golds.get(mpiId)?.after;
  }

  /** Final state of a staged source record (after build). */
  stagedSource(key: string): StoredSource | undefined {
    return this.srcs.get(key)?.after;
  }

  /** Derive versions, members, survivorship, keys, cross-reference, history and events; return the change. */
  async build(): Promise<Change> {
    const seq = this.ctx.nextSeq(this.readSeq);
    const sources = [...this.srcs.values()];
    const goldens = [...this.golds.values()];
    for (const s of sources) finishSourceDoc(this.ctx, s.after, s.before, this.at, seq);
    const staged = new Map(sources.map((s) => [s.after.key, s.after]));
    for (const g of goldens) finishGoldenDoc(this.ctx, g.after, g.before, staged, this.at, seq);
    const xref = await xrefDiff(this.ctx, goldens, this.knownXref);
    const history = historyRecords(sources, goldens, (key) => this.loadedSources.get(key)?.patient);
    const events = this.eventSpecs.map((spec) => spec(history));
    const check = this.createdGolden ? this.snapshot.check() : null;
    return {
      id: this.changeId, seq, at: this.at, operation: this.operation, actor: this.actor,
      leases: [...this.leases, ...derivedLeases(sources, goldens, xref)].sort(),
      guards: [...this.extraGuards, ...sources.map((s) => guardKey.source(s.after.key, s.after.version)), ...goldens.map((g) => guardKey.golden(g.after.mpiId, g.after.version))],
      writes: { sources: sources.map((s) => s.after), goldens: goldens.map((g) => g.after), xrefPut: xref.put, xrefDel: xref.del },
      reviews: this.reviewDocs, merges: this.mergeDocs, history, events,
      ...(check ? { check } : {}),
      applied: false, unpublished: events.map((e) => e.id),
    };
  }
}
