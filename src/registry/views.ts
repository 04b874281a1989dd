/**
 * Public views of stored documents: the store keeps search fields and bookkeeping next to each
 * record; callers of the RegistryService get exactly the port types.
 */
import type { GoldenRecord, ReviewTask, SourceRecord } from './ports';
import type { StoredGolden, StoredReview, StoredSource } from './store';

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
  const { search: _search, stewardPatch: _patch, extraIdentifiers: _extra, xrefKeys: _xref, members: _members, seq: _seq, ...rest } = g;
  return rest;
}

/**
 * Strip storage-only fields from a review task.
 * @param r - stored review task
 */
export function publicReview(r: StoredReview): ReviewTask {
  const { sourceSystem: _system, updatedAt: _updated, ...rest } = r;
  return rest;
}
