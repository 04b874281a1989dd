/**
 * Secondary indexes of the in-memory twin: member keys grouped by a field (xref entries by MPI
 * ID, reviews by source…), so that per-record lookups cost O(group) instead of a scan of the whole
 * map — a scan per registration makes loading a large memory registry quadratic.
 */
export class Groups {
  private readonly byGroup = new Map<string, Set<string>>();

  /**
   * Record `member` under `group`.
   * @param group - the grouping value
   * @param member - the member's key in its primary map
   */
  add(group: string, member: string): void {
    let set = this.byGroup.get(group);
    if (!set) this.byGroup.set(group, (set = new Set()));
    set.add(member);
  }

  /**
   * Forget `member` under `group` (no-op when absent).
   * @param group - the grouping value
   * @param member - the member's key
   */
  delete(group: string, member: string): void {
    const set = this.byGroup.get(group);
    if (!set) return;
    set.delete(member);
    if (set.size === 0) this.byGroup.delete(group);
  }

  /**
   * Look up the members of a group in their primary map.
   * @param group - the grouping value
   * @param map - the primary map the members are keys of
   */
  pick<T>(group: string, map: Map<string, T>): T[] {
    const out: T[] = [];
    for (const k of this.byGroup.get(group) ?? []) {
      const v = map.get(k);
      if (v !== undefined) out.push(v);
    }
    return out;
  }
}
