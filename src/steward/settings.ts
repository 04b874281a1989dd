/**
 * The steward page's settings, from validated configuration: how stewards sign in (not at all under
 * AUTH_MODE=none, with the identity provider of AUTH_ISSUER otherwise) and where the page lives.
 */
import type { Config } from '../config';

/** How the page signs stewards in. */
export type StewardSignIn =
  | { mode: 'none' }
  | { mode: 'unconfigured' }
  | { mode: 'oauth'; clientId: string; redirectUri: string; scopes: string; discoveryUrl: string; issuer: string };

export interface StewardSettings {
  signIn: StewardSignIn;
  /** Path of the page (`/steward`, under PUBLIC_BASE_URL's path when Passerelle sits behind a prefix). */
  basePath: string;
}

/**
 * Read the steward settings.
 * @param config - validated configuration
 */
export function stewardSettings(config: Config): StewardSettings {
  const e = config.env;
  const basePath = `${new URL(config.publicBaseUrl).pathname.replace(/\/$/, '')}/steward`;
  if (e.AUTH_MODE === 'none') return { signIn: { mode: 'none' }, basePath };
  if (!e.STEWARD_CLIENT_ID || !e.AUTH_ISSUER) return { signIn: { mode: 'unconfigured' }, basePath };
  const issuer = e.AUTH_ISSUER;
  return {
    basePath,
    signIn: {
      mode: 'oauth',
      clientId: e.STEWARD_CLIENT_ID,
      redirectUri: e.STEWARD_REDIRECT_URI ?? `${config.publicBaseUrl}/steward`,
      scopes: e.STEWARD_SCOPES,
      discoveryUrl: e.STEWARD_DISCOVERY_URL ?? `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
      issuer,
    },
  };
}
