/**
 * What ChangeBuilder.build() derives from the staged states of a change, besides the records
 * themselves: the leases every touched record and identifier needs, and the history records.
 */
import type { HistoryRecord, StoredGolden, StoredSource, XrefEntry } from './store';
import { changedFields } from './history';
import { historyRef, leaseKey } from './keys';

/** A record's state before the change (null: new) and after it. */
export interface Staged<T> {
  before: T | null;
  after: T;
}

/**
 * The leases the writes need: each source and golden record written, each identifier whose
 * cross-reference entry is put or deleted.
 * @param sources - staged source records
 * @param goldens - staged golden records
 * @param xref - the cross-reference diff
 */
export function derivedLeases(sources: Array<Staged<StoredSource>>, goldens: Array<Staged<StoredGolden>>, xref: { put: XrefEntry[]; del: XrefEntry[] }): string[] {
  return [
    ...sources.map((s) => leaseKey.source(s.after.key)),
    ...goldens.map((g) => leaseKey.golden(g.after.mpiId)),
    ...[...xref.put, ...xref.del].map((e) => leaseKey.identifier(e.key)),
  ];
}

/**
 * The history records of a change: golden records first, then source records, each with the fields
 * it changed.
 * @param sources - staged source records
 * @param goldens - staged golden records
 * @param loadedPatient - the Patient of a source record as the change read it (when no golden member snapshot has it)
 */
export function historyRecords(sources: Array<Staged<StoredSource>>, goldens: Array<Staged<StoredGolden>>, loadedPatient: (key: string) => StoredSource['patient'] | undefined): HistoryRecord[] {
  const previous = (key: string): StoredSource['patient'] | undefined =>
    goldens.flatMap((g) => g.before?.members ?? []).find((m) => m.key === key)?.patient ?? loadedPatient(key);
  const src = sources.map((s): HistoryRecord => ({
    kind: 'source', id: s.after.id, ref: historyRef('source', s.after.id), version: s.after.version,
    changedFields: changedFields(s.before ? previous(s.after.key) : undefined, s.after.patient), patient: s.after.patient,
    ...(s.after.active ? {} : { deleted: true }),
  }));
  const gold = goldens.map((g): HistoryRecord => ({
    kind: 'golden', id: g.after.mpiId, ref: historyRef('golden', g.after.mpiId), version: g.after.version,
    changedFields: changedFields(g.before?.patient, g.after.patient), patient: g.after.patient, status: g.after.status,
  }));
  return [...gold, ...src];
}
