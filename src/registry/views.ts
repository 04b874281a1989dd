/**
 * Public views of stored documents: the store keeps search fields and bookkeeping next to each
 * record; callers of the RegistryService get exactly the port types.
 */
import type { GoldenRecord, MergeSummary, ReviewTask, SourceRecord } from './api';
import type { MergeRecord, StoredGolden, StoredReview, StoredSource } from './store';

/**
 * Strip storage-only fields from a source record.
 * @param s - stored source record
 */
export function publicSource(s: StoredSource): SourceRecord {
  const { search: _search, receivedAt: _receivedAt, keys: _keys, rf: _rf, contentHash: _hash, notAMatch: _nm, seq: _seq, ...rest } = s;
  return rest;
}

/**
 * Strip storage-only fields from a golden record.
 * @param g - stored golden record
 */
export function publicGolden(g: StoredGolden): GoldenRecord {
  const { search: _search, stewardPatch: _patch, extraIdentifiers: _extra, xrefKeys: _xref, members, seq: _seq, ...rest } = g;
  return { ...rest, sourceIds: members.map((m) => m.id) };
}

/**
 * Strip storage-only fields from a review task.
 * @param r - stored review task
 */
export function publicReview(r: StoredReview): ReviewTask {
  const { updatedAt: _updated, ...rest } = r;
  return rest;
}

/**
 * A merge as the service shows it (without the snapshots unmerge needs).
 * @param m - the stored merge
 */
export function mergeSummary(m: MergeRecord): MergeSummary {
  return { survivorId: m.survivorId, retiredId: m.retiredId, at: m.at, by: m.by, ...(m.reason ? { reason: m.reason } : {}) };
}
