/**
 * The environment schema (contracts.md §2). Parsed once at boot; every problem is listed at once.
 * URL and credential defaults exist only under NODE_ENV=development.
 */
import { z } from 'zod';
import { matchRuleFields } from '../registry/matching/rules';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const csv = z.string().transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean));

/** Every environment variable Passerelle reads, with its default (documented in the README). */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('production'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_BASE_URL: z.url().optional(),
  INSTANCE_ID: z.string().regex(/^[A-Za-z0-9._-]+$/).default('passerelle'),
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must be a mongodb:// or mongodb+srv:// URI').optional(),
  MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/).default('passerelle'),
  // How many lookup keys one candidate query carries (0: all of them in one query, right for MongoDB 7).
  // The local stand-in answers a large `$in` several times slower than the same keys in small queries.
  MONGODB_LOOKUP_KEYS_PER_QUERY: z.coerce.number().int().min(0).max(100_000).default(0),
  KAFKA_BROKERS: csv.pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker must be host:port')).min(1)).optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('passerelle'),
  KAFKA_TOPIC_PATIENT: z.string().min(1).default('passerelle.patient.identity'),
  KAFKA_TOPIC_PRACTITIONER: z.string().min(1).default('passerelle.practitioner.identity'),
  KAFKA_TOPIC_REVIEW: z.string().min(1).default('passerelle.review'),
  KAFKA_TOPIC_DLQ: z.string().min(1).default('passerelle.ingest.dlq'),
  KAFKA_TOPIC_2XX: z.string().min(1).default('2xx'),
  KAFKA_PUBLISH_2XX: bool.default(false),
  // Kafka topics and inbound ingest (src/events; README "Identity events on Kafka").
  KAFKA_CREATE_TOPICS: bool.optional(),
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(10_000).default(3),
  KAFKA_TOPIC_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(32).optional(),
  KAFKA_INGEST_ENABLED: bool.default(false),
  KAFKA_INGEST_SOURCES: csv.pipe(z.array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'each source must be a short lower-case name (dhis2, openmrs…)'))).default([]),
  KAFKA_INGEST_TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]+$/).default('passerelle.ingest.'),
  KAFKA_INGEST_OPENHIM_TOPIC: z.string().regex(/^[A-Za-z0-9._-]+$/).optional(),
  KAFKA_INGEST_GROUP_ID: z.string().min(1).default('passerelle-ingest'),
  KAFKA_INGEST_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  KAFKA_RELAY_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  // Several processes relaying one database (README "Several mediator processes"): how long a claim on
  // an outbox entry holds, and how long published events are kept for audit and replay (0: for good).
  EVENT_CLAIM_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  EVENT_RETENTION_DAYS: z.coerce.number().min(0).max(3650).default(30),
  EVENT_RETENTION_INTERVAL_MS: z.coerce.number().int().min(1000).max(86_400_000).default(3_600_000),
  OPENHIM_REGISTER: bool.default(false),
  OPENHIM_API_URL: z.url().optional(),
  OPENHIM_USERNAME: z.string().optional(),
  OPENHIM_PASSWORD: z.string().optional(),
  OPENHIM_TRUST_SELF_SIGNED: bool.default(false),
  // How Passerelle proves itself to Core's API: basic (Core >= 7.1) or token (Core <= 7.0, deprecated from 7.2).
  OPENHIM_API_AUTH: z.enum(['basic', 'token']).default('basic'),
  // PEM file of the CA that signed Core's API certificate (preferred over OPENHIM_TRUST_SELF_SIGNED).
  OPENHIM_CA_FILE: z.string().optional(),
  // Core's console marks a mediator amber after 60 s without a heartbeat; each replica also asks for the
  // config this often, since Core hands a console change to one heartbeat only.
  OPENHIM_HEARTBEAT_MS: z.coerce.number().int().min(100).max(30_000).default(10_000),
  OPENHIM_CONFIG_POLL_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
  // How long a write through OpenHIM waits for its identity events to reach Kafka, so that the
  // transaction lists the publishes as orchestrations (0: answer at once; they are then not listed).
  OPENHIM_EVENTS_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(2_000),
  OPENHIM_TRUST_CLIENT_HEADER: bool.default(false),
  OPENHIM_SHARED_SECRET: z.string().min(16).optional(),
  AUTH_MODE: z.enum(['jwt', 'none']).default('jwt'),
  AUTH_JWKS_URL: z.url().optional(),
  AUTH_JWKS_FILE: z.string().optional(),
  AUTH_ISSUER: z.string().optional(),
  AUTH_AUDIENCE: z.string().optional(),
  AUTH_ALGORITHMS: csv.default(['RS256', 'ES256', 'PS256', 'EdDSA']),
  AUTH_SIGNING_KEY_FILE: z.string().optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(6000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MAPPINGS_DIR: z.string().optional(),
  // `interpreter` keeps every mapping on JSONata's interpreter (src/transforms/README.md, "Compiled mappings").
  MAPPING_ENGINE: z.enum(['auto', 'interpreter']).default('auto'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(5 * 1024 * 1024),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(15000),
  MPI_ID_COUNTRY: z.string().regex(/^[A-Z]{2}$/).default('SN'),
  MPI_ID_REGION: z.string().regex(/^[A-Z0-9]{2,4}$/).default('DKR'),
  DEFAULT_PHONE_COUNTRY: z.string().regex(/^[A-Z]{2}$/).default('SN'),
  // Decision rules of the matcher: the rule set's own field schemas, so each default is stated once
  // (registry/matching/rules.ts, a leaf module that imports only zod).
  MATCH_UPPER_THRESHOLD: matchRuleFields.upperThreshold,
  MATCH_LOWER_THRESHOLD: matchRuleFields.lowerThreshold,
  MATCH_IDENTIFIER_CONFLICT: matchRuleFields.identifierConflict,
  MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS: matchRuleFields.scoredIdentifierSystems,
  MATCH_IDENTIFIER_CONFLICT_REVIEWED_SYSTEMS: matchRuleFields.reviewedIdentifierSystems,
  // A deployment's own name tables (aliases, titles, transliterations), added to the shipped one.
  MATCH_NAME_TABLES: csv.default([]),
  // Data-steward page (/steward): sign-in with OAuth 2.0 authorization code + PKCE at the identity
  // provider of AUTH_ISSUER, whose tokens the API verifies with AUTH_JWKS_URL/AUTH_JWKS_FILE.
  STEWARD_CLIENT_ID: z.string().regex(/^[\x21-\x7e]{1,200}$/, 'printable ASCII without spaces').optional(),
  STEWARD_REDIRECT_URI: z.url({ protocol: /^https?$/ }).optional(),
  STEWARD_SCOPES: z.string().regex(/^[\x21-\x7e]+( [\x21-\x7e]+)*$/, 'space-separated scopes').default('openid mpi/review system/Patient.read'),
  STEWARD_DISCOVERY_URL: z.url({ protocol: /^https?$/ }).optional(),
});

export type EnvInput = z.input<typeof envSchema>;
export type Env = z.output<typeof envSchema>;
