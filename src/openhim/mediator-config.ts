/**
 * `mediator-config.json`: what Passerelle registers with OpenHIM Core. The file holds the urn, the
 * endpoints, the channel templates and the configDefs (one per live setting, src/config/live.ts); the
 * registered `version` is package.json's, because Core ignores a registration whose version is not
 * greater than the stored one while still answering 201 (openhim.md §2.3), so a change to the file
 * ships with a version bump or never reaches Core.
 */
import file from '../../mediator-config.json';
import { version as packageVersion } from '../../package.json';
import type { LiveSettings } from '../config/live';

/** OpenHIM configDef value types (core `validateConfigField`). */
export type ConfigDefType = 'string' | 'bigstring' | 'bool' | 'number' | 'option' | 'map' | 'struct' | 'password';

/** One configurable parameter as OpenHIM's console shows it. */
export interface ConfigDef {
  param: string;
  displayName: string;
  description?: string;
  type: ConfigDefType;
  values?: string[];
  array?: boolean;
  template?: Array<Omit<ConfigDef, 'displayName'> & { displayName?: string }>;
}

/** A route of a channel, or an endpoint of the mediator (core RouteDef). */
export interface RouteDef {
  name: string;
  type?: string;
  host: string;
  port: number;
  path?: string;
  pathTransform?: string;
  primary?: boolean;
  secured?: boolean;
  forwardAuthHeader?: boolean;
  status?: string;
  username?: string;
  password?: string;
}

/** A channel template (core ChannelDef, the fields Passerelle uses). */
export interface ChannelDef {
  name: string;
  description?: string;
  urlPattern: string;
  methods?: string[];
  type?: string;
  pollingSchedule?: string;
  priority?: number;
  authType?: string;
  allow?: string[];
  whitelist?: string[];
  matchContentTypes?: string[];
  requestBody?: boolean;
  responseBody?: boolean;
  timeout?: number;
  autoRetryEnabled?: boolean;
  autoRetryPeriodMinutes?: number;
  autoRetryMaxAttempts?: number;
  routes: RouteDef[];
  txViewAcl?: string[];
  txViewFullAcl?: string[];
  txRerunAcl?: string[];
  status?: string;
}

/** The registration document (`POST /mediators`). */
export interface MediatorConfig {
  urn: string;
  version: string;
  name: string;
  description?: string;
  endpoints: RouteDef[];
  defaultChannelConfig: ChannelDef[];
  configDefs: ConfigDef[];
  config?: Record<string, unknown>;
}

/** The top-level mediator-config.json as shipped. */
export const MEDIATOR_CONFIG: Readonly<MediatorConfig> = file as MediatorConfig;

/** The version Passerelle registers: package.json's. */
export const MEDIATOR_VERSION = packageVersion;

/**
 * Core's stored config for a mediator seen for the first time: the settings Passerelle runs with, so
 * the console shows them; credentials are never sent (they stay in the environment; Core lists
 * mediator config unmasked to every admin, openhim.md §2.2) and an unset value is an empty string.
 * On a version upgrade Core keeps every value it already holds (stored value wins).
 * @param defs - the configDefs
 * @param settings - the live settings in force
 */
export function seedConfig(defs: readonly ConfigDef[], settings: LiveSettings): Record<string, unknown> {
  const values = settings as unknown as Record<string, unknown>;
  const config: Record<string, unknown> = {};
  for (const def of defs) {
    const v = values[def.param];
    if (def.type === 'password') config[def.param] = def.array ? [] : '';
    else if (v === undefined) config[def.param] = def.array ? [] : '';
    else config[def.param] = v;
  }
  return config;
}

/**
 * The body of `POST /mediators`: the file with package.json's version and a seeded config.
 * @param settings - the live settings in force
 * @param base - the mediator config (default: the shipped file)
 */
export function registrationBody(settings: LiveSettings, base: Readonly<MediatorConfig> = MEDIATOR_CONFIG): MediatorConfig {
  return { ...base, version: MEDIATOR_VERSION, config: seedConfig(base.configDefs, settings) };
}
