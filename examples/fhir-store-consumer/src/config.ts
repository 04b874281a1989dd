/**
 * Configuration from the environment, checked once: every problem is listed at once.
 */

/** What the consumer needs. */
export interface ConsumerConfig {
  brokers: string[];
  /** Passerelle's patient topic (`passerelle.patient.identity`), or a replay topic. */
  topic: string;
  groupId: string;
  clientId: string;
  /** Base URL of the FHIR R4 server to keep in step, e.g. `http://hapi:8080/fhir`. */
  fhirBaseUrl: string;
  /** Bearer token for the FHIR server, if it needs one. */
  fhirToken?: string;
  /** How many recent `ce_id`s to remember for deduplication. */
  dedupeSize: number;
  /** Read the topic from its beginning when the group has no committed offset (first start). */
  fromBeginning: boolean;
}

/** The configuration is invalid; `problems` lists each. */
export class ConsumerConfigError extends Error {
  /**
   * @param problems - one line per problem
   */
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConsumerConfigError';
  }
}

/**
 * Read the configuration.
 * @param env - the environment
 */
export function loadConsumerConfig(env: Record<string, string | undefined>): ConsumerConfig {
  const problems: string[] = [];
  const brokers = (env.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0 || brokers.some((b) => !/^[^:\s]+:\d+$/.test(b))) problems.push('KAFKA_BROKERS: required, comma-separated host:port');
  const fhirBaseUrl = (env.FHIR_BASE_URL ?? '').replace(/\/+$/, '');
  if (!/^https?:\/\/\S+$/.test(fhirBaseUrl)) problems.push('FHIR_BASE_URL: required, the FHIR R4 base URL (http or https)');
  const dedupeSize = Number(env.DEDUPE_SIZE ?? '100000');
  if (!Number.isInteger(dedupeSize) || dedupeSize < 1) problems.push('DEDUPE_SIZE: a positive integer');
  if (problems.length > 0) throw new ConsumerConfigError(problems);
  return {
    brokers, fhirBaseUrl, dedupeSize,
    topic: env.KAFKA_TOPIC ?? 'passerelle.patient.identity',
    groupId: env.KAFKA_GROUP_ID ?? 'fhir-store-consumer',
    clientId: env.KAFKA_CLIENT_ID ?? 'fhir-store-consumer',
    fromBeginning: (env.FROM_BEGINNING ?? 'true') !== 'false',
    ...(env.FHIR_TOKEN ? { fhirToken: env.FHIR_TOKEN } : {}),
  };
}
