/**
 * Shared vocabulary of authentication and authorisation: the scopes, the per-route security
 * declaration every route carries (`options.plugins.passerelle`), and the verified principal.
 */

/** Every scope a route may require (SMART-style system scopes plus Passerelle's own). */
export const SCOPES = [
  'system/Patient.read',
  'system/Patient.write',
  'system/Practitioner.read',
  'mpi/review',
  'mpi/admin',
  /** Sync status and failures, re-drives, runs, and pushes to /channels (an OpenHIM channel's client). */
  'mpi/sync',
] as const;

export type Scope = (typeof SCOPES)[number];

/**
 * What a route declares in `options.plugins.passerelle`. A route that declares neither `public`
 * nor `scope` is denied to everyone (fail closed).
 */
export interface RouteSecurity {
  /** Reachable without a token (still rate-limited by address). */
  public?: boolean;
  /** The scope a caller's token must grant. */
  scope?: Scope;
  /** Operation name recorded in the audit trail (defaults to `METHOD route-template`). */
  audit?: string | false;
}

declare module '@hapi/hapi' {
  interface PluginSpecificConfiguration {
    passerelle?: RouteSecurity;
  }
}

/** A caller whose bearer token (or trusted OpenHIM client id) was verified. */
export interface Principal {
  clientId: string;
  /** The end user, when the token was issued on behalf of one (`sub` differs from the client). */
  userId?: string;
  scopes: string[];
  /** How the caller was identified. */
  via: 'jwt' | 'openhim' | 'development';
  /** Token expiry (seconds since epoch), when identified by a token. */
  expiresAt?: number;
}
