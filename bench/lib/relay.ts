/**
 * The mediator's outbox relay for benchmarks: the real `OutboxRelay`, publishing to a broker that
 * acknowledges every event at once, so a benchmark's registry holds what a running deployment holds
 * (finished changes retired) and the relay's own cost can be timed.
 */
import { Writable } from 'node:stream';
import { createLogger } from '../../src/core/logger';
import type { EventPublisher, Outbox } from '../../src/events/ports';
import { OutboxRelay } from '../../src/events/relay';

const acknowledgingBroker: EventPublisher = { connect: async () => undefined, disconnect: async () => undefined, publish: async () => undefined, ping: async () => true };

/** A relay over `outbox` whose `flush()` drains it completely. */
export function benchRelay(outbox: Outbox): OutboxRelay {
  return new OutboxRelay({ outbox, publisher: acknowledgingBroker, logger: createLogger('warn', new Writable({ write(_c, _e, cb): void { cb(); } })) });
}
