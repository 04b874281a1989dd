/**
 * Steward sign-in settings: configuration checks, the settings derived from them, and the checks on
 * the identity provider's discovery document.
 */
import type { ConfigError} from '../../../src/config';
import { loadConfig } from '../../../src/config';
import { endpointUrl, parseDiscovery } from '../../../src/steward/discovery';
import { stewardSettings } from '../../../src/steward/settings';

const prod = { NODE_ENV: 'production', MONGODB_URI: 'mongodb://m/', KAFKA_BROKERS: 'k:9092', AUTH_JWKS_URL: 'https://idp.sante.gouv.sn/jwks', AUTH_ISSUER: 'https://idp.sante.gouv.sn/realms/mpi' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (err) {
    return (err as ConfigError).problems;
  }
}

describe('steward settings', () => {
  test('sign-in at AUTH_ISSUER\'s provider, with the redirect and scopes defaulted from the public base URL', () => {
    const config = loadConfig({ ...prod, STEWARD_CLIENT_ID: 'passerelle-steward', PUBLIC_BASE_URL: 'https://mpi.sante.gouv.sn/passerelle' });
    expect(stewardSettings(config)).toEqual({
      basePath: '/passerelle/steward',
      signIn: {
        mode: 'oauth', clientId: 'passerelle-steward', redirectUri: 'https://mpi.sante.gouv.sn/passerelle/steward', scopes: 'openid mpi/review system/Patient.read',
        discoveryUrl: 'https://idp.sante.gouv.sn/realms/mpi/.well-known/openid-configuration', issuer: 'https://idp.sante.gouv.sn/realms/mpi',
      },
    });
    const custom = loadConfig({ ...prod, STEWARD_CLIENT_ID: 'c', STEWARD_REDIRECT_URI: 'https://x.example/steward', STEWARD_SCOPES: 'openid mpi/review', STEWARD_DISCOVERY_URL: 'https://idp.sante.gouv.sn/.well-known/oauth-authorization-server' });
    expect(stewardSettings(custom).signIn).toMatchObject({ redirectUri: 'https://x.example/steward', scopes: 'openid mpi/review', discoveryUrl: 'https://idp.sante.gouv.sn/.well-known/oauth-authorization-server' });
    expect(stewardSettings(loadConfig(prod)).signIn).toEqual({ mode: 'unconfigured' });
    expect(stewardSettings(loadConfig({ NODE_ENV: 'development', AUTH_MODE: 'none' })).signIn).toEqual({ mode: 'none' });
  });

  test('configuration problems are listed: the provider\'s issuer and keys are needed, values are shaped', () => {
    const { AUTH_ISSUER: _i, AUTH_JWKS_URL: _j, ...bare } = prod;
    expect(problems({ ...bare, AUTH_SIGNING_KEY_FILE: '/k.pem', STEWARD_CLIENT_ID: 'c' })).toEqual([
      expect.stringMatching(/^AUTH_ISSUER: required with STEWARD_CLIENT_ID/),
      expect.stringMatching(/^AUTH_JWKS_URL or AUTH_JWKS_FILE: required with STEWARD_CLIENT_ID/),
    ]);
    expect(problems({ ...prod, STEWARD_CLIENT_ID: 'has space', STEWARD_REDIRECT_URI: 'ftp://x/steward', STEWARD_SCOPES: 'openid  double' })).toEqual([
      expect.stringMatching(/^STEWARD_CLIENT_ID:/), expect.stringMatching(/^STEWARD_REDIRECT_URI:/), expect.stringMatching(/^STEWARD_SCOPES:/),
    ]);
  });
});

describe('identity provider discovery document', () => {
  const issuer = 'https://idp.sante.gouv.sn/realms/mpi';
  const doc = { issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, end_session_endpoint: `${issuer}/logout`, code_challenge_methods_supported: ['plain', 'S256'] };

  test('keeps the endpoints the page needs', () => {
    expect(parseDiscovery(doc, issuer)).toEqual({ issuer, authorizationEndpoint: `${issuer}/auth`, tokenEndpoint: `${issuer}/token`, endSessionEndpoint: `${issuer}/logout` });
  });

  test.each([
    ['another issuer (mix-up)', { ...doc, issuer: 'https://evil.example' }, /issuer differs/],
    ['no PKCE S256', { ...doc, code_challenge_methods_supported: ['plain'] }, /PKCE/],
    ['a plain-http endpoint off loopback', { ...doc, token_endpoint: 'http://idp.sante.gouv.sn/token' }, /must be https/],
    ['an endpoint that is not a URL', { ...doc, authorization_endpoint: 'not a url' }, /not a URL/],
    ['credentials in an endpoint', { ...doc, token_endpoint: 'https://u:p@idp.sante.gouv.sn/token' }, /credentials/],
    ['not an object', 'hello', /not a JSON object/],
  ])('refuses %s', (_name, bad, message) => {
    expect(() => parseDiscovery(bad, issuer)).toThrow(message);
  });

  test('plain http only on loopback (development and tests)', () => {
    expect(endpointUrl('http://127.0.0.1:8080/token', 't')).toBe('http://127.0.0.1:8080/token');
    expect(endpointUrl('http://localhost/token', 't')).toBe('http://localhost/token');
    expect(() => endpointUrl('http://10.0.0.5/token', 't')).toThrow(/https/);
  });
});
