/**
 * The event bus as /ready sees it. Kafka being down never makes Passerelle unavailable: changes
 * commit with their events in the outbox, which waits. /ready then says `degraded` and why — the
 * broker unreachable, a topic missing, the relay failing — with how much waits and since when.
 */
import { oldestAgeSeconds } from './metrics';
import type { EventPublisher, Outbox } from './ports';
import type { OutboxRelay } from './relay';

/** A /ready probe (structurally the http module's ReadinessCheck). */
export interface EventBusCheck {
  name: string;
  critical: false;
  check(): Promise<{ ok: boolean; reason?: string }>;
}

async function backlog(outbox: Outbox): Promise<string> {
  const lag = await outbox.lag?.().catch(() => null);
  if (!lag) return 'events wait in the outbox';
  if (lag.count === 0) return 'no event is waiting';
  return `${lag.count} event${lag.count === 1 ? '' : 's'} wait${lag.count === 1 ? 's' : ''} in the outbox (oldest ${Math.round(oldestAgeSeconds(lag, new Date()))} s)`;
}

/**
 * The `kafka` readiness check.
 * @param opts - the publisher (broker, topics), the relay (last failure) and the outbox (backlog)
 */
export function eventBusCheck(opts: { publisher: EventPublisher; relay: OutboxRelay; outbox: Outbox }): EventBusCheck {
  return {
    name: 'kafka',
    critical: false,
    async check() {
      if (!(await opts.publisher.ping())) return { ok: false, reason: `Kafka unreachable; ${await backlog(opts.outbox)}` };
      const missing = [...new Set([...(await opts.publisher.missingTopics?.().catch(() => []) ?? []), ...opts.relay.health().missingTopics])];
      if (missing.length > 0) {
        return { ok: false, reason: `Kafka topic${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')} (create ${missing.length > 1 ? 'them' : 'it'}, README "Kafka topics"); ${await backlog(opts.outbox)}` };
      }
      const relay = opts.relay.health();
      if (relay.failing) return { ok: false, reason: `publishing fails since ${relay.failingSince ?? '?'}: ${relay.lastError ?? 'unknown error'}; ${await backlog(opts.outbox)}` };
      return { ok: true };
    },
  };
}
