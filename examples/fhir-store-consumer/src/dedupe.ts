/** The most recent `ce_id`s applied, to skip a redelivered event (bounded: oldest forgotten first). */
export class RecentIds {
  private readonly ids = new Set<string>();

  /**
   * @param capacity - how many ids to remember
   */
  constructor(private readonly capacity: number) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
  }
}
