import type { OutboxEvent } from '../core/types';
import type { EventPublisher } from './ports';

/** In-memory twin of the Kafka publisher: tests assert on `published`; `failNext` simulates outages. */
export class InMemoryEventPublisher implements EventPublisher {
  readonly published: OutboxEvent[] = [];
  connected = false;
  /** When > 0, the next publish calls fail (and decrement), to exercise retries. */
  failNext = 0;

  async connect(): Promise<void> {
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    this.connected = false;
  }

  async publish(events: OutboxEvent[]): Promise<void> {
    if (!this.connected) throw new Error('event bus not connected');
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('simulated broker outage');
    }
    this.published.push(...events);
  }

  async ping(): Promise<boolean> {
    return this.connected && this.failNext === 0;
  }
}
