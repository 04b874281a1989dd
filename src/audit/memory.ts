/**
 * In-memory audit store (unit tests, development). Can be told to fail, to exercise the writer's
 * retry path.
 */
import type { AuditQuery, AuditRecord, AuditStore } from './ports';
import { matchesQuery } from './ports';

/** Audit records kept in an array. */
export class MemoryAuditStore implements AuditStore {
  readonly records: AuditRecord[] = [];
  private readonly ids = new Set<string>();
  /** Number of upcoming append calls that throw (test hook). */
  failNext = 0;

  /** @param records - records to add */
  async append(records: AuditRecord[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('audit store unavailable');
    }
    for (const r of records) {
      if (this.ids.has(r.id)) continue;
      this.ids.add(r.id);
      this.records.push(structuredClone(r));
    }
  }

  /** @param query - filters and paging */
  async search(query: AuditQuery): Promise<{ total: number; items: AuditRecord[] }> {
    const hits = this.records.filter((r) => matchesQuery(r, query)).sort((a, b) => (a.recorded < b.recorded ? 1 : a.recorded > b.recorded ? -1 : 0));
    return { total: hits.length, items: hits.slice(query.offset, query.offset + query.count).map((r) => structuredClone(r)) };
  }
}
