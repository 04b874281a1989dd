/**
 * The Kafka publishes of a request, as OpenHIM orchestrations. Identity events leave through the
 * outbox: the relay publishes them after the change is stored, outside the request. A request that
 * came through OpenHIM is watched by its transaction id (which its events carry, contracts §3); each
 * relay batch that publishes some of them becomes one orchestration per topic (a produce request to
 * the brokers, with its timing), and before answering the request waits, for a bounded time, until
 * the relay has caught up with the outbox as it stood. Events still waiting then are reported as
 * such: the transaction is "Completed with error(s)", and the events go out when Kafka takes them.
 */
import type { Orchestration } from '../core/orchestration';
import type { OutboxEvent } from '../core/types';
import type { TopicTable } from './ports';
import type { OutboxRelay, RelayObserver } from './relay';

/** What the watch needs. */
export interface PublishWatchOptions {
  relay: Pick<OutboxRelay, 'addObserver' | 'whenCaughtUp'>;
  /** The brokers, named in each orchestration's URL. */
  brokers: readonly string[];
  /** The topic table in force (topics may be renamed at run time). */
  topics: TopicTable;
  /** Longest wait for the relay before answering (0: never wait). */
  waitMs: number;
}

/** The publishes of one request, when its answer is built. */
export interface RequestPublishes {
  orchestrations: Orchestration[];
  /** Whether events of the request may still wait in the outbox (the wait ended before the relay caught up). */
  pending: boolean;
}

/** Most event ids named in one orchestration's request body. */
const LISTED_IDS = 20;

/** Watches the relay for the events of requests that came through OpenHIM. */
export class PublishWatch implements RelayObserver {
  private readonly watched = new Map<string, Orchestration[][]>();

  /** @param opts - relay, brokers, topic table and wait bound */
  constructor(private readonly opts: PublishWatchOptions) {
    opts.relay.addObserver(this);
  }

  /**
   * Start collecting the publishes of a transaction's events (at the start of its request).
   * @param transactionId - OpenHIM's transaction id
   * @returns the list the orchestrations go to
   */
  watch(transactionId: string): Orchestration[] {
    const list: Orchestration[] = [];
    this.watched.set(transactionId, [...(this.watched.get(transactionId) ?? []), list]);
    return list;
  }

  /**
   * Wait (bounded) for the relay to catch up, then stop watching and hand over what was published.
   * @param transactionId - OpenHIM's transaction id
   * @param list - what `watch` returned
   * @param wait - whether to wait at all (no write, or Kafka known to be down)
   */
  async settle(transactionId: string, list: Orchestration[], wait: boolean): Promise<RequestPublishes> {
    let caughtUp = !wait || this.opts.waitMs === 0;
    if (!caughtUp) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.opts.waitMs)));
      caughtUp = await Promise.race([this.opts.relay.whenCaughtUp().then(() => true), timeout]);
      clearTimeout(timer);
    }
    this.forget(transactionId, list);
    return { orchestrations: list, pending: wait && !caughtUp };
  }

  /**
   * Stop watching without waiting (the request ended otherwise).
   * @param transactionId - OpenHIM's transaction id
   * @param list - what `watch` returned
   */
  forget(transactionId: string, list: Orchestration[]): void {
    const rest = (this.watched.get(transactionId) ?? []).filter((l) => l !== list);
    if (rest.length > 0) this.watched.set(transactionId, rest);
    else this.watched.delete(transactionId);
  }

  /** RelayObserver: a batch was published and acknowledged. */
  published(events: OutboxEvent[], seconds: number): void {
    if (this.watched.size === 0) return;
    const end = new Date();
    const start = new Date(end.getTime() - seconds * 1000);
    const byTransaction = new Map<string, Map<string, OutboxEvent[]>>();
    for (const e of events) {
      if (!e.transactionId || !this.watched.has(e.transactionId)) continue;
      const byTopic = byTransaction.get(e.transactionId) ?? new Map<string, OutboxEvent[]>();
      byTopic.set(e.topic, [...(byTopic.get(e.topic) ?? []), e]);
      byTransaction.set(e.transactionId, byTopic);
    }
    for (const [transactionId, byTopic] of byTransaction) {
      const orchestrations = [...byTopic].map(([topic, list]) => this.orchestration(this.opts.topics[topic as keyof TopicTable] ?? topic, list, start, end));
      for (const list of this.watched.get(transactionId) ?? []) list.push(...orchestrations);
    }
  }

  /** RelayObserver: failures are reported by the wait running out. */
  failed(): void {
    // Events stay in the outbox; the request's answer says they wait.
  }

  private orchestration(topic: string, events: OutboxEvent[], start: Date, end: Date): Orchestration {
    const types: Record<string, number> = {};
    for (const e of events) types[e.type] = (types[e.type] ?? 0) + 1;
    const ids = events.slice(0, LISTED_IDS).map((e) => e.id);
    return {
      name: `Kafka publish ${topic}`,
      request: {
        method: 'PRODUCE', url: `kafka://${this.opts.brokers[0] ?? 'kafka'}/${topic}`, timestamp: start.toISOString(), headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: events.length, types, ceIds: ids, ...(events.length > ids.length ? { moreIds: events.length - ids.length } : {}) }),
      },
      response: { status: 200, timestamp: end.toISOString(), headers: { 'content-type': 'application/json' }, body: JSON.stringify({ acks: 'all', acknowledged: events.length }) },
    };
  }
}
