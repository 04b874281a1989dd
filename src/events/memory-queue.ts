import type { OutboxEvent } from '../core/types';
import type { EventQueue, OutboxLag } from './ports';

/** In-memory twin of the event queue (tests, development): events in arrival order. */
export class MemoryEventQueue implements EventQueue {
  private readonly events: OutboxEvent[] = [];

  async enqueue(event: OutboxEvent): Promise<void> {
    this.events.push(structuredClone(event));
  }

  async pending(limit: number): Promise<OutboxEvent[]> {
    return structuredClone(this.events.slice(0, limit));
  }

  async markPublished(ids: string[]): Promise<void> {
    const done = new Set(ids);
    for (let i = this.events.length - 1; i >= 0; i--) if (done.has((this.events[i] as OutboxEvent).id)) this.events.splice(i, 1);
  }

  async lag(): Promise<OutboxLag> {
    return { count: this.events.length, oldestAt: this.events[0]?.time ?? null };
  }
}
