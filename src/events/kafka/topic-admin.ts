/**
 * Topics at start-up: created when missing where Passerelle may create them (development, tests,
 * or KAFKA_CREATE_TOPICS=true), otherwise only checked — a missing topic is then named on /ready
 * and in the log instead of failing every publish silently.
 */
import type { Admin, Kafka } from 'kafkajs';
import type { TopicSpec } from '../topics';

/** How long a topic listing is trusted by /ready (a metadata request per probe would be wasteful). */
const LISTING_TTL_MS = 5000;

/** Lists and creates topics. */
export class KafkaTopicAdmin {
  private admin: Admin | null = null;
  private listing: { at: number; names: Set<string> } | null = null;

  /**
   * @param kafka - the kafkajs client
   */
  constructor(private readonly kafka: Kafka) {}

  async connect(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    this.admin = admin;
  }

  async disconnect(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    await admin?.disconnect().catch(() => undefined);
  }

  /** Whether the cluster answers a metadata request. */
  async ping(): Promise<boolean> {
    if (!this.admin) return false;
    try {
      await this.admin.describeCluster();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The names among `names` the broker does not have.
   * @param names - topic names
   * @param fresh - bypass the short-lived cache
   */
  async missing(names: string[], fresh = false): Promise<string[]> {
    if (!this.admin) return [];
    if (fresh || !this.listing || Date.now() - this.listing.at > LISTING_TTL_MS) {
      this.listing = { at: Date.now(), names: new Set(await this.admin.listTopics()) };
    }
    const known = this.listing.names;
    return [...new Set(names)].filter((n) => !known.has(n));
  }

  /**
   * Create the topics of `specs` that do not exist yet.
   * @param specs - topics with their partitions and replication factor
   * @returns the names created
   */
  async ensure(specs: TopicSpec[]): Promise<string[]> {
    if (!this.admin) throw new Error('Kafka admin is not connected');
    const missing = new Set(await this.missing(specs.map((s) => s.name), true));
    const wanted = specs.filter((s) => missing.has(s.name));
    if (wanted.length === 0) return [];
    await this.admin.createTopics({
      waitForLeaders: true,
      topics: wanted.map((s) => ({ topic: s.name, numPartitions: s.partitions, replicationFactor: s.replicationFactor ?? -1 })),
    });
    this.listing = null;
    return wanted.map((s) => s.name);
  }
}
