/**
 * Which Kafka topics Passerelle uses, with how they are created when it may create them
 * (contracts.md §3; README "Identity events on Kafka").
 */
import type { TopicName } from '../core/types';
import type { TopicTable } from './ports';

/** A topic to create when missing. */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Omitted: the broker's `default.replication.factor`. */
  replicationFactor?: number;
}

/** What decides the topic list. */
export interface TopicPlanOptions {
  topics: TopicTable;
  partitions: number;
  replicationFactor?: number;
  /** Whether the Instant OpenHIE `2xx` topic is published to. */
  publish2xx: boolean;
  /** Inbound topics consumed (ingest), created alongside in development. */
  ingestTopics?: string[];
}

/**
 * The outbound topics events are published to (the logical names the relay may meet).
 * @param publish2xx - whether the optional `2xx` topic is in use
 */
export function outboundTopicNames(publish2xx: boolean): TopicName[] {
  return publish2xx ? ['patient', 'practitioner', 'review', 'dlq', 'bundle2xx'] : ['patient', 'practitioner', 'review', 'dlq'];
}

/**
 * Every topic Passerelle needs, deduplicated by name.
 * @param opts - topic table, partitions, replication, switches
 */
export function topicPlan(opts: TopicPlanOptions): TopicSpec[] {
  const names = [...outboundTopicNames(opts.publish2xx).map((t) => opts.topics[t]), ...(opts.ingestTopics ?? [])];
  return [...new Set(names)].map((name) => ({
    name,
    partitions: opts.partitions,
    ...(opts.replicationFactor !== undefined ? { replicationFactor: opts.replicationFactor } : {}),
  }));
}
