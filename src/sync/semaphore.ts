/**
 * A counting semaphore whose size can change while it is held (the sync's concurrency limit is a
 * live setting): work beyond the limit waits in arrival order.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  /** @param size - how many may run at once (at least 1) */
  constructor(private size: number) {
    this.size = Math.max(1, size);
  }

  /** @param size - the new limit; waiting work starts at once if it grew */
  resize(size: number): void {
    this.size = Math.max(1, size);
    this.release(0);
  }

  /**
   * Run `work` when a place is free.
   * @param work - the work
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      this.release(1);
    }
  }

  private release(freed: number): void {
    this.active -= freed;
    while (this.active < this.size && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()?.();
    }
  }
}
