import { ConfigError, loadConfig } from '../../../src/config';
import { liveSettingsFromEnv } from '../../../src/config/live';
import { DEFAULT_RULES } from '../../../src/registry/matching/rules';

const valid = { MONGODB_URI: 'mongodb://db:27017/', KAFKA_BROKERS: 'k1:9092,k2:9092', AUTH_JWKS_URL: 'https://idp.example.org/jwks', AUTH_ISSUER: 'https://idp.example.org' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('accepts a minimal production environment and applies defaults', () => {
    const c = loadConfig(valid);
    expect(c.env.PORT).toBe(3000);
    expect(c.env.KAFKA_BROKERS).toEqual(['k1:9092', 'k2:9092']);
    expect(c.env.AUTH_MODE).toBe('jwt');
    expect(c.env.OPENHIM_REGISTER).toBe(false);
    expect(Object.isFrozen(c.env)).toBe(true);
  });

  it('runs mappings compiled where possible unless MAPPING_ENGINE=interpreter', () => {
    expect(loadConfig(valid).env.MAPPING_ENGINE).toBe('auto');
    expect(loadConfig({ ...valid, MAPPING_ENGINE: 'interpreter' }).env.MAPPING_ENGINE).toBe('interpreter');
    expect(problemsOf({ ...valid, MAPPING_ENGINE: 'fast' }).join('\n')).toContain('MAPPING_ENGINE');
  });

  it('validates the matcher decision rules', () => {
    const c = loadConfig({ ...valid, MATCH_UPPER_THRESHOLD: '0.99', MATCH_IDENTIFIER_CONFLICT: 'score' });
    expect([c.env.MATCH_UPPER_THRESHOLD, c.env.MATCH_LOWER_THRESHOLD, c.env.MATCH_IDENTIFIER_CONFLICT]).toEqual([0.99, 0.5, 'score']);
    expect(loadConfig(valid).env.MATCH_IDENTIFIER_CONFLICT).toBe('learned');
    expect(loadConfig({ ...valid, MATCH_IDENTIFIER_CONFLICT_REVIEWED_SYSTEMS: 'urn:oid:1.2.3' }).env.MATCH_IDENTIFIER_CONFLICT_REVIEWED_SYSTEMS).toEqual(['urn:oid:1.2.3']);
    expect(loadConfig({ ...valid, MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS: 'urn:oid:1.2.3, http://moh.example.org/nin' }).env.MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS).toEqual(['urn:oid:1.2.3', 'http://moh.example.org/nin']);
    expect(loadConfig(valid).env.MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS).toEqual([]);
    expect(problemsOf({ ...valid, MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS: 'not a uri' }).join('\n')).toContain('MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS');
    const text = problemsOf({ ...valid, MATCH_UPPER_THRESHOLD: '0.4', MATCH_LOWER_THRESHOLD: '1.5', MATCH_IDENTIFIER_CONFLICT: 'ignore' }).join('\n');
    for (const key of ['MATCH_LOWER_THRESHOLD', 'MATCH_IDENTIFIER_CONFLICT']) expect(text).toContain(key);
    expect(problemsOf({ ...valid, MATCH_UPPER_THRESHOLD: '0.4', MATCH_LOWER_THRESHOLD: '0.6' }).join('\n')).toContain('must not exceed MATCH_UPPER_THRESHOLD');
  });

  it('takes each MATCH_* default from the rule set (stated once) and the live settings agree', () => {
    const env = loadConfig(valid).env;
    expect(env.MATCH_UPPER_THRESHOLD).toBe(DEFAULT_RULES.upperThreshold);
    expect(env.MATCH_LOWER_THRESHOLD).toBe(DEFAULT_RULES.lowerThreshold);
    expect(env.MATCH_IDENTIFIER_CONFLICT).toBe(DEFAULT_RULES.identifierConflict);
    const live = liveSettingsFromEnv({});
    expect(live.ok && [live.settings.matchUpperThreshold, live.settings.matchLowerThreshold]).toEqual([DEFAULT_RULES.upperThreshold, DEFAULT_RULES.lowerThreshold]);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({ PORT: 'abc', LOG_LEVEL: 'loud', KAFKA_BROKERS: 'nohostport', MONGODB_URI: 'http://x' });
    const text = problems.join('\n');
    for (const key of ['PORT', 'LOG_LEVEL', 'KAFKA_BROKERS', 'MONGODB_URI']) expect(text).toContain(key);
    expect(problems.length).toBeGreaterThanOrEqual(4);
  });

  it('requires MongoDB, Kafka and a key source in production', () => {
    const text = problemsOf({}).join('\n');
    expect(text).toContain('MONGODB_URI');
    expect(text).toContain('KAFKA_BROKERS');
    expect(text).toContain('AUTH_JWKS_URL');
  });

  it('refuses AUTH_MODE=none outside development', () => {
    expect(problemsOf({ ...valid, AUTH_MODE: 'none' }).join()).toContain('only allowed with NODE_ENV=development');
    expect(loadConfig({ NODE_ENV: 'development', AUTH_MODE: 'none' }).env.AUTH_MODE).toBe('none');
  });

  it('gives local-stack defaults only in development', () => {
    const dev = loadConfig({ NODE_ENV: 'development' });
    expect(dev.env.MONGODB_URI).toBe('mongodb://127.0.0.1:27117/?directConnection=true');
    expect(dev.env.HOST).toBe('127.0.0.1');
    expect(problemsOf({ NODE_ENV: 'production' }).join()).toContain('MONGODB_URI');
  });

  it('requires OpenHIM credentials when registration is on, and a secret to trust its client header', () => {
    const text = problemsOf({ ...valid, OPENHIM_REGISTER: 'true', OPENHIM_TRUST_CLIENT_HEADER: 'true' }).join('\n');
    expect(text).toContain('OPENHIM_API_URL');
    expect(text).toContain('OPENHIM_PASSWORD');
    expect(text).toContain('OPENHIM_SHARED_SECRET');
  });

  it('never allows the none algorithm', () => {
    expect(problemsOf({ ...valid, AUTH_ALGORITHMS: 'RS256,none' }).join()).toContain('"none" is never allowed');
  });

  it('requires AUTH_ISSUER with an external key set, in the one list of problems', () => {
    const problems = problemsOf({ ...valid, AUTH_JWKS_URL: 'https://idp.example.org/jwks', AUTH_ISSUER: '', STEWARD_CLIENT_ID: 'steward' });
    expect(problems.filter((p) => p.startsWith('AUTH_ISSUER:'))).toHaveLength(1);
    expect(problemsOf({ ...valid, AUTH_JWKS_URL: 'https://idp.example.org/jwks', AUTH_ISSUER: 'https://idp.example.org' }).join()).not.toContain('AUTH_ISSUER');
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ ...valid, PORT: '' }).env.PORT).toBe(3000);
  });
});
