/**
 * Secondary indexes of the in-memory twin: member keys grouped by a field (xref entries by MPI
 * ID, reviews by source, records by blocking key…), so that per-record lookups cost O(group) instead
 * of a scan of the whole map — a scan per registration makes loading a large memory registry quadratic.
 *
 * Most groups hold one member (an identifier names one record, most blocking keys one person), so a
 * lone member is kept as the bare string and a Set is made only for the second: a Set and its hash
 * table cost ~150 bytes, and at ~25 groups per record they were a quarter of a large registry's heap,
 * which the young-generation collector pays for on every pass.
 */
export class Groups {
  private readonly byGroup = new Map<string, string | Set<string>>();

  /**
   * Record `member` under `group`.
   * @param group - the grouping value
   * @param member - the member's key in its primary map
   */
  add(group: string, member: string): void {
    const cur = this.byGroup.get(group);
    if (cur === undefined) this.byGroup.set(group, member);
    else if (typeof cur !== 'string') cur.add(member);
    else if (cur !== member) this.byGroup.set(group, new Set([cur, member]));
  }

  /**
   * Forget `member` under `group` (no-op when absent).
   * @param group - the grouping value
   * @param member - the member's key
   */
  delete(group: string, member: string): void {
    const cur = this.byGroup.get(group);
    if (cur === undefined) return;
    if (typeof cur === 'string') {
      if (cur === member) this.byGroup.delete(group);
      return;
    }
    cur.delete(member);
    if (cur.size === 1) this.byGroup.set(group, cur.values().next().value as string);
    else if (cur.size === 0) this.byGroup.delete(group);
  }

  /**
   * The members of a group, in insertion order.
   * @param group - the grouping value
   */
  members(group: string): string[] {
    const cur = this.byGroup.get(group);
    return cur === undefined ? [] : typeof cur === 'string' ? [cur] : [...cur];
  }

  /**
   * How many members a group has.
   * @param group - the grouping value
   */
  size(group: string): number {
    const cur = this.byGroup.get(group);
    return cur === undefined ? 0 : typeof cur === 'string' ? 1 : cur.size;
  }

  /**
   * Look up the members of a group in their primary map.
   * @param group - the grouping value
   * @param map - the primary map the members are keys of
   */
  pick<T>(group: string, map: Map<string, T>): T[] {
    const out: T[] = [];
    for (const k of this.members(group)) {
      const v = map.get(k);
      if (v !== undefined) out.push(v);
    }
    return out;
  }
}
