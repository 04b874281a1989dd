/**
 * Proof that the lookups one decision rests on read one committed state.
 *
 * A change (or an atomic unit) that creates a golden record is re-read after commit: every record now
 * filed under its lookup keys must be one it saw. With several lookups that proof is only sound if they
 * all saw the same records under the keys they share. Otherwise a unit's first registration can decide
 * "new person" on a read taken before a concurrent registration of that person was applied, its second
 * registration sees that person's record, and the union of what they saw passes the check: two golden
 * records for one person. So a lookup that finds, under a key already read, a record (or a version of
 * one) the earlier read did not return ends the attempt: it is redone from fresh reads.
 */
import { lookupKey } from './keys';
import { lookupFingerprint, mergeQueries, sourceFingerprint, xrefFingerprint } from './lookup-query';
import type { LookupCheck, LookupQuery, LookupResult } from './store';

/** The committed records changed between two lookups of one attempt: redo it from fresh reads. */
export class StaleLookupError extends Error {
  constructor() {
    super('the registry changed under the keys of this decision while it was being made');
    this.name = 'StaleLookupError';
  }
}

/** How a read is filed: a coarse key, or a refined key with its refinement code. */
const refinedEntry = (key: string, rf: string): string => `${key}\u0000${rf}`;

/** The keys a query read (coarse keys, and refined keys with their code). */
function queriedEntries(q: LookupQuery): string[] {
  return [...q.keys, ...(q.refined ?? []).flatMap((r) => r.keys.map((k) => refinedEntry(k, r.rf)))];
}

/** Each returned record's fingerprint and the entries a query would find it under. */
function filed(result: LookupResult): Array<{ fingerprint: string; entries: string[] }> {
  return [
    ...result.sources.map((s) => ({ fingerprint: sourceFingerprint(s), entries: s.keys.flatMap((k) => [k, refinedEntry(k, s.rf)]) })),
    ...result.xref.map((x) => ({ fingerprint: xrefFingerprint(x), entries: [lookupKey.xref(x.key)] })),
  ];
}

/**
 * What the lookups of one attempt saw: per key read (to refuse a second state), and as the check
 * re-read at commit (every query, and the fingerprints of everything they returned).
 */
export class LookupSnapshot {
  private readonly seen = new Map<string, Set<string>>();
  private readonly queries: LookupQuery[] = [];
  private readonly fingerprints = new Set<string>();
  /** Lookups not yet indexed: most decisions make one lookup, which then costs nothing here. */
  private readonly unindexed: Array<{ query: LookupQuery; result: LookupResult }> = [];

  /**
   * Record a lookup's committed result.
   * @param query - the lookup asked
   * @param result - what the committed store returned
   * @throws StaleLookupError when it shows a write under a key an earlier lookup read
   */
  note(query: LookupQuery, result: LookupResult): void {
    this.queries.push(query);
    for (const f of lookupFingerprint(result)) this.fingerprints.add(f);
    if (this.unindexed.length > 0 || this.seen.size > 0) {
      for (const earlier of this.unindexed.splice(0)) this.index(earlier.query, filed(earlier.result));
      const records = filed(result);
      for (const r of records) {
        for (const e of r.entries) if (this.seen.get(e)?.has(r.fingerprint) === false) throw new StaleLookupError();
      }
      this.index(query, records);
      return;
    }
    this.unindexed.push({ query, result });
  }

  /** The check of a decision resting on these lookups (one merged query), or null when none was made. */
  check(): LookupCheck | null {
    return this.queries.length > 0 ? { queries: [mergeQueries(this.queries)], seen: [...this.fingerprints] } : null;
  }

  private index(query: LookupQuery, records: ReturnType<typeof filed>): void {
    for (const e of queriedEntries(query)) if (!this.seen.has(e)) this.seen.set(e, new Set());
    for (const r of records) for (const e of r.entries) this.seen.get(e)?.add(r.fingerprint);
  }
}
