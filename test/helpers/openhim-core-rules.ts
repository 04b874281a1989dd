/**
 * OpenHIM Core's validation rules as openhim.md documents them (core `src/api/mediators.js`
 * validateConfigDef / validateConfig / validateConfigField, `src/model/channels.js`), for the fake
 * Core and for the tests of mediator-config.json and openhim-import.json. Each function returns the
 * problems it finds (Core stops at the first; listing them all makes test failures readable).
 */

interface Def {
  param?: unknown;
  type?: unknown;
  values?: unknown;
  array?: unknown;
  template?: Array<{ param?: unknown; type?: unknown }>;
}

const DEF_TYPES = ['string', 'bigstring', 'bool', 'number', 'option', 'map', 'struct', 'password'];

/**
 * Core's checks of configDefs (400 on registration when one fails).
 * @param defs - the configDefs of a registration
 */
export function configDefProblems(defs: Def[]): string[] {
  const problems: string[] = [];
  for (const def of defs) {
    const p = String(def.param);
    if (typeof def.param !== 'string' || def.param === '') problems.push('a configDef has no param');
    if (!DEF_TYPES.includes(String(def.type))) problems.push(`${p}: unknown type ${String(def.type)}`);
    if (def.type === 'option' && (!Array.isArray(def.values) || def.values.length === 0)) problems.push(`Must specify a values array for option param '${p}'`);
    if (def.type === 'struct') {
      if (!Array.isArray(def.template)) problems.push(`Must specify a template for struct param '${p}'`);
      for (const t of def.template ?? []) {
        if (!t.param) problems.push(`Must specify field 'param' in template definition for param '${p}'`);
        if (!t.type) problems.push(`Must specify field 'type' in template definition for param '${p}'`);
        if (t.type === 'struct') problems.push(`May not recursively specify 'struct' in template definitions (param '${p}')`);
      }
    }
  }
  return problems;
}

function fieldProblem(param: string, def: Def, field: unknown): string | null {
  switch (def.type) {
    case 'string': case 'bigstring': case 'password':
      return typeof field === 'string' ? null : `Expected config param ${param} to be a string.`;
    case 'number':
      return typeof field === 'number' ? null : `Expected config param ${param} to be a number.`;
    case 'bool':
      return typeof field === 'boolean' ? null : `Expected config param ${param} to be a boolean.`;
    case 'option':
      return (def.values as unknown[]).includes(field) ? null : `Expected config param ${param} to be one of ${String(def.values)}`;
    case 'map':
      if (typeof field !== 'object' || field === null) return `Expected config param ${param} to be an object.`;
      return Object.values(field).every((v) => typeof v === 'string') ? null : `Expected config param ${param} to only contain string values.`;
    case 'struct': {
      if (typeof field !== 'object') return `Expected config param ${param} to be an object.`;
      const known = (def.template ?? []).map((t) => t.param);
      const unknown = Object.keys(field ?? {}).find((k) => !known.includes(k));
      return unknown ? `Field ${unknown} is not defined in template definition for config param ${param}.` : null;
    }
    default:
      return null;
  }
}

/**
 * Core's checks of a config against its defs (400 on registration or PUT …/config).
 * @param defs - the configDefs
 * @param config - the config
 */
export function configProblems(defs: Def[], config: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [param, value] of Object.entries(config)) {
    const def = defs.find((d) => d.param === param);
    if (!def) {
      problems.push(`No config definition found for parameter ${param}`);
      continue;
    }
    if (def.array) {
      if (!Array.isArray(value)) problems.push(`Expected config param ${param} to be an array of type ${String(def.type)}`);
      else value.forEach((v, i) => problems.push(fieldProblem(`${param}[${i}]`, def, v) ?? ''));
    } else {
      problems.push(fieldProblem(param, def, value) ?? '');
    }
  }
  return problems.filter(Boolean);
}

/** `semver.valid` for plain x.y.z[-pre] versions. */
export function isSemver(v: unknown): v is string {
  return typeof v === 'string' && /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(v);
}

/**
 * `semver.gt(a, b)` on x.y.z (a pre-release sorts before its release).
 * @param a - version
 * @param b - version
 */
export function semverGreater(a: string, b: string): boolean {
  const parse = (v: string): [number[], string] => [v.split('-')[0]!.split('.').map(Number), v.includes('-') ? v.slice(v.indexOf('-') + 1) : ''];
  const [na, pa] = parse(a);
  const [nb, pb] = parse(b);
  for (let i = 0; i < 3; i++) if (na[i] !== nb[i]) return na[i]! > nb[i]!;
  if (pa === pb) return false;
  return pa === '' ? true : pb === '' ? false : pa > pb;
}

interface Route { name?: unknown; host?: unknown; port?: unknown; type?: string; path?: unknown; pathTransform?: string; primary?: unknown; status?: string }
interface Channel { name?: unknown; urlPattern?: unknown; type?: string; priority?: unknown; pollingSchedule?: unknown; authType?: string; methods?: unknown; timeout?: unknown; status?: string; matchContentTypes?: unknown; routes?: Route[]; autoRetryPeriodMinutes?: unknown; autoRetryMaxAttempts?: unknown }

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

function routeProblems(c: string, r: Route, polling: boolean): string[] {
  const problems: string[] = [];
  if (typeof r.name !== 'string' || r.name === '') problems.push(`${c}: a route has no name`);
  if (typeof r.host !== 'string' || r.host === '') problems.push(`${c}: route ${String(r.name)} has no host`);
  if (typeof r.port !== 'number' || r.port < 0 || r.port > 65536) problems.push(`${c}: route ${String(r.name)} port must be 0..65536`);
  if (r.type !== undefined && !['http', 'kafka'].includes(String(r.type))) problems.push(`${c}: route type must be http or kafka`);
  if (r.status !== undefined && !['enabled', 'disabled'].includes(String(r.status))) problems.push(`${c}: route status must be enabled or disabled`);
  if (r.pathTransform !== undefined && !/^s\/(\\\/|[^/])*\/(\\\/|[^/])*\/g?$/.test(String(r.pathTransform))) problems.push(`${c}: pathTransform must be sed syntax s/from/to/`);
  // Without a path, polling requests arrive on Core's internal /trigger (core src/polling.js).
  if (polling && typeof r.path !== 'string') problems.push(`${c}: a polling route needs a path`);
  return problems;
}

/**
 * Core's channel schema rules (openhim.md §6) plus the lessons of §2.4: no matchContentTypes, at most
 * one enabled primary route, polling routes with a path.
 * @param channels - channels of an import or defaultChannelConfig
 */
export function channelProblems(channels: Channel[]): string[] {
  const problems: string[] = [];
  const names = channels.map((c) => c.name);
  for (const ch of channels) {
    const c = String(ch.name);
    if (typeof ch.name !== 'string' || ch.name === '') problems.push('a channel has no name');
    if (names.filter((n) => n === ch.name).length > 1) problems.push(`${c}: channel names must be unique`);
    if (typeof ch.urlPattern !== 'string') problems.push(`${c}: urlPattern is required`);
    else try { new RegExp(ch.urlPattern); } catch { problems.push(`${c}: urlPattern is not a RegExp`); }
    if (!['http', 'tcp', 'tls', 'polling'].includes(String(ch.type ?? 'http'))) problems.push(`${c}: unknown type ${String(ch.type)}`);
    if (ch.type === 'polling' && typeof ch.pollingSchedule !== 'string') problems.push(`${c}: a polling channel needs a pollingSchedule`);
    if (ch.priority !== undefined && !(typeof ch.priority === 'number' && ch.priority >= 1)) problems.push(`${c}: priority must be >= 1`);
    if (ch.authType !== undefined && !['private', 'public'].includes(String(ch.authType))) problems.push(`${c}: authType must be private or public`);
    if (ch.methods !== undefined && !(Array.isArray(ch.methods) && ch.methods.every((m) => METHODS.includes(String(m))))) problems.push(`${c}: unknown method`);
    if (ch.timeout !== undefined && !(typeof ch.timeout === 'number' && ch.timeout >= 1 && ch.timeout <= 3_600_000)) problems.push(`${c}: timeout must be 1..3600000`);
    if (ch.status !== undefined && !['enabled', 'disabled', 'deleted'].includes(String(ch.status))) problems.push(`${c}: unknown status`);
    if (Array.isArray(ch.matchContentTypes) && ch.matchContentTypes.length > 0) problems.push(`${c}: matchContentTypes makes every GET (no Content-Type) miss the channel`);
    if (ch.autoRetryPeriodMinutes !== undefined && !(typeof ch.autoRetryPeriodMinutes === 'number' && ch.autoRetryPeriodMinutes >= 1)) problems.push(`${c}: autoRetryPeriodMinutes must be >= 1`);
    if (ch.autoRetryMaxAttempts !== undefined && !(typeof ch.autoRetryMaxAttempts === 'number' && ch.autoRetryMaxAttempts >= 0)) problems.push(`${c}: autoRetryMaxAttempts must be >= 0`);
    const routes = ch.routes ?? [];
    if (routes.filter((r) => r.primary === true && r.status !== 'disabled').length > 1) problems.push(`${c}: at most one enabled primary route`);
    for (const r of routes) problems.push(...routeProblems(c, r, ch.type === 'polling'));
  }
  return problems;
}
