/**
 * The identities a sync touched — MPI IDs of golden records and source record keys (`system|value`)
 * — gathered for the audit trail and the OpenHIM transaction's properties of the request that ran it.
 * A run can take in a whole source system: past a bound only the count grows (the registry's history
 * keeps every change with its actor, the complete trail).
 */

/** MPI IDs and source record keys. */
export interface TouchedIds {
  mpiIds: string[];
  sourceIds: string[];
}

/** How many of each kind one request lists (an audit record stays a small document). */
export const MAX_TOUCHED_IDS = 1000;

/** Collects distinct ids up to a bound. */
export class TouchedCollector {
  private readonly mpiIds = new Set<string>();
  private readonly sourceIds = new Set<string>();
  /** Ids left out once the bound was reached. */
  private omitted = 0;

  /** @param max - distinct ids kept per kind */
  constructor(private readonly max = MAX_TOUCHED_IDS) {}

  /**
   * Add what a page touched.
   * @param t - its ids
   */
  add(t: TouchedIds): void {
    this.addTo(this.mpiIds, t.mpiIds);
    this.addTo(this.sourceIds, t.sourceIds);
  }

  /** The ids kept, and whether some were left out. */
  snapshot(): TouchedIds & { truncated: boolean } {
    return { mpiIds: [...this.mpiIds], sourceIds: [...this.sourceIds], truncated: this.omitted > 0 };
  }

  private addTo(set: Set<string>, ids: readonly string[]): void {
    for (const id of ids) {
      if (set.has(id)) continue;
      if (set.size < this.max) set.add(id);
      else this.omitted += 1;
    }
  }
}
