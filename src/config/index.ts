import { existsSync } from 'node:fs';
import { envSchema } from './schema';
import type { Env } from './schema';
import { envNameOf, liveCandidateFromEnv, parseLiveSettings } from './live';
import type { LiveSettings } from './live';

export type { Env } from './schema';

/** Configuration could not be loaded; `problems` lists every one of them. */
export class ConfigError extends Error {
  /**
   * @param problems - one human-readable line per invalid or missing setting
   */
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The validated, frozen configuration of one Passerelle process. */
export interface Config {
  env: Env;
  /** Where OpenAPI/FHIR links point (PUBLIC_BASE_URL or http://HOST:PORT). */
  publicBaseUrl: string;
  development: boolean;
  /** The live settings at start (live.ts), from the environment. */
  live: LiveSettings;
  /** The environment's live settings unparsed: the base OpenHIM's config is laid over (live-holder.ts). */
  liveBase: Readonly<Record<string, string>>;
}

// Only in development may the mediator fall back to the local stack's addresses.
const DEV_DEFAULTS = { MONGODB_URI: 'mongodb://127.0.0.1:27117/?directConnection=true', KAFKA_BROKERS: '127.0.0.1:19092', HOST: '127.0.0.1' };

/**
 * Parse and cross-check the environment; throws ConfigError listing every problem at once.
 * @param source - the environment (process.env in production)
 */
export function loadConfig(source: NodeJS.ProcessEnv): Config {
  const raw: Record<string, string | undefined> = { ...source };
  for (const [k, v] of Object.entries(raw)) if (v === '') raw[k] = undefined;
  if (raw.NODE_ENV === 'development') for (const [k, v] of Object.entries(DEV_DEFAULTS)) raw[k] ??= v;
  const { env, problems } = parseEachField(raw);
  problems.push(...crossCheck(env));
  const liveBase = liveCandidateFromEnv(source);
  const live = parseLiveSettings(liveBase);
  if (!live.ok) problems.push(...liveProblemsByVariable(live.problems, problems));
  if (problems.length > 0 || !live.ok) throw new ConfigError(problems);
  const publicBaseUrl = (env.PUBLIC_BASE_URL ?? `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`).replace(/\/$/, '');
  return Object.freeze({
    env: Object.freeze(env), publicBaseUrl, development: env.NODE_ENV === 'development', live: Object.freeze(live.settings), liveBase: Object.freeze(liveBase),
  });
}

/**
 * Parse field by field, so that one bad value does not hide the problems of the others (including
 * the cross-field checks, which run on whatever did parse).
 * @param raw - the environment with empty strings removed
 */
function parseEachField(raw: Record<string, string | undefined>): { env: Env; problems: string[] } {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(envSchema.shape)) {
    const r = schema.safeParse(raw[key]);
    if (r.success) values[key] = r.data;
    else problems.push(...r.error.issues.map((i) => `${key}: ${i.message}`));
  }
  const whole = envSchema.safeParse(values);
  return { env: (whole.success ? whole.data : values) as Env, problems };
}

/**
 * The live settings' problems under the variable an operator sets (`dhis2BaseUrl: …` → `DHIS2_BASE_URL: …`),
 * leaving out variables the environment schema already reported (MATCH_*, KAFKA_TOPIC_*, LOG_LEVEL are read by both).
 * @param liveProblems - problems from parseLiveSettings
 * @param reported - problems already listed
 */
function liveProblemsByVariable(liveProblems: string[], reported: string[]): string[] {
  const variableOf = (p: string): string => p.slice(0, p.indexOf(':'));
  const seen = new Set(reported.map(variableOf));
  return liveProblems.map((p) => `${envNameOf(variableOf(p))}${p.slice(p.indexOf(':'))}`).filter((p) => !seen.has(variableOf(p)));
}

function crossCheck(env: Env): string[] {
  const problems: string[] = [];
  if (!env.MONGODB_URI) problems.push('MONGODB_URI: required (e.g. mongodb://mongo:27017/?replicaSet=rs0)');
  if (!env.KAFKA_BROKERS) problems.push('KAFKA_BROKERS: required (e.g. kafka:9092)');
  if (env.AUTH_MODE === 'none' && env.NODE_ENV !== 'development') {
    problems.push('AUTH_MODE: "none" is only allowed with NODE_ENV=development');
  }
  if (env.AUTH_MODE === 'jwt' && !env.AUTH_JWKS_URL && !env.AUTH_JWKS_FILE && !env.AUTH_SIGNING_KEY_FILE && env.NODE_ENV === 'production') {
    problems.push('AUTH_JWKS_URL or AUTH_JWKS_FILE (or AUTH_SIGNING_KEY_FILE for self-issued tokens): required when AUTH_MODE=jwt');
  }
  if (env.OPENHIM_REGISTER) {
    for (const k of ['OPENHIM_API_URL', 'OPENHIM_USERNAME', 'OPENHIM_PASSWORD'] as const) {
      if (!env[k]) problems.push(`${k}: required when OPENHIM_REGISTER=true`);
    }
  }
  if (env.OPENHIM_TRUST_CLIENT_HEADER && !env.OPENHIM_SHARED_SECRET) {
    problems.push('OPENHIM_SHARED_SECRET: required when OPENHIM_TRUST_CLIENT_HEADER=true (proves a request came through OpenHIM)');
  }
  if (env.OPENHIM_SHARED_SECRET?.includes('__OPENHIM_SHARED_SECRET__')) {
    problems.push('OPENHIM_SHARED_SECRET: still the placeholder of openhim-import.json; choose a secret and put it in the channels\' route passwords');
  }
  if (env.AUTH_ALGORITHMS.some((a) => a.toLowerCase() === 'none')) problems.push('AUTH_ALGORITHMS: "none" is never allowed');
  if ((env.AUTH_JWKS_URL || env.AUTH_JWKS_FILE) && !env.AUTH_ISSUER) problems.push('AUTH_ISSUER: required with AUTH_JWKS_URL or AUTH_JWKS_FILE (tokens signed by those keys are accepted only from that issuer)');
  if (env.KAFKA_INGEST_ENABLED && env.KAFKA_INGEST_SOURCES.length === 0 && !env.KAFKA_INGEST_OPENHIM_TOPIC) {
    problems.push('KAFKA_INGEST_SOURCES or KAFKA_INGEST_OPENHIM_TOPIC: at least one is required when KAFKA_INGEST_ENABLED=true');
  }
  problems.push(...stewardProblems(env));
  if (env.MATCH_LOWER_THRESHOLD > env.MATCH_UPPER_THRESHOLD) problems.push('MATCH_LOWER_THRESHOLD: must not exceed MATCH_UPPER_THRESHOLD');
  for (const path of env.MATCH_NAME_TABLES ?? []) if (!existsSync(path)) problems.push(`MATCH_NAME_TABLES: no file ${path}`);
  return problems;
}

// The steward page signs people in at AUTH_ISSUER's identity provider; the API must be able to verify
// the tokens it issues.
function stewardProblems(env: Env): string[] {
  if (!env.STEWARD_CLIENT_ID || env.AUTH_MODE === 'none') return [];
  const problems: string[] = [];
  // With a JWKS set, a missing issuer is already reported by crossCheck.
  if (!env.AUTH_ISSUER && !env.AUTH_JWKS_URL && !env.AUTH_JWKS_FILE) problems.push('AUTH_ISSUER: required with STEWARD_CLIENT_ID (stewards\' tokens are verified against it)');
  if (!env.AUTH_JWKS_URL && !env.AUTH_JWKS_FILE) problems.push('AUTH_JWKS_URL or AUTH_JWKS_FILE: required with STEWARD_CLIENT_ID (the identity provider\'s keys verify stewards\' tokens)');
  return problems;
}
