/**
 * mediator-config.json and openhim/openhim-import.json against Core's rules (openhim.md §2, §6) and
 * against the live-settings schema they declare.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LIVE_SETTING_KEYS, SOURCE_PREFIXES, liveSettingsSchema, parseLiveSettings } from '../../../src/config/live';
import { MEDIATOR_CONFIG, registrationBody, seedConfig } from '../../../src/openhim/mediator-config';
import type { ChannelDef } from '../../../src/openhim/mediator-config';
import { channelProblems, configDefProblems, configProblems } from '../../helpers/openhim-core-rules';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const importFile = JSON.parse(readFileSync(join(root, 'openhim', 'openhim-import.json'), 'utf8')) as { Channels: ChannelDef[]; Clients: Array<{ clientID: string; roles: string[] }> };
const defaults = liveSettingsSchema.parse({});

/** The OpenHIM type a live setting's schema calls for (unwrapping defaults, optionals and transforms). */
function openhimTypeOf(key: string): { type: string; array?: boolean; values?: string[] } {
  type Node = { _zod: { def: unknown } };
  let s = (liveSettingsSchema.shape as unknown as Record<string, Node>)[key]!;
  for (;;) {
    const def = s._zod.def as { type: string; innerType?: Node; in?: Node; out?: Node; entries?: Record<string, string> };
    if (def.type === 'default' || def.type === 'optional') s = def.innerType!;
    else if (def.type === 'pipe') s = (def.out!._zod.def as { type: string }).type === 'transform' ? def.in! : def.out!;
    else if (/Password$|ApiToken$/.test(key)) return { type: 'password' };
    else if (def.type === 'number') return { type: 'number' };
    else if (def.type === 'boolean') return { type: 'bool' };
    else if (def.type === 'array') return { type: 'string', array: true };
    else if (def.type === 'enum') return { type: 'option', values: Object.keys(def.entries!) };
    else return { type: 'string' };
  }
}

/** Apply a route's sed-style pathTransform (core router.js transformPath). */
function transform(path: string, sed: string): string {
  const m = /^s\/((?:\\\/|[^/])*)\/((?:\\\/|[^/])*)\/(g?)$/.exec(sed)!;
  return path.replace(new RegExp(m[1]!, m[3]), m[2]!.replace(/\\\//g, '/'));
}

describe('mediator-config.json', () => {
  it('registers package.json\'s version, so a change never goes unseen by Core (version-bump rule)', () => {
    expect(MEDIATOR_CONFIG.version).toBe(pkg.version);
    expect(registrationBody(defaults).version).toBe(pkg.version);
  });

  it('grows the version whenever what Core stores changes (configDefs, endpoints, channel templates…)', () => {
    const recorded = JSON.parse(readFileSync(join(root, 'openhim', 'mediator-config.version.json'), 'utf8')) as { version: string; sha256: string };
    const { version: _version, ...stored } = JSON.parse(readFileSync(join(root, 'mediator-config.json'), 'utf8')) as Record<string, unknown>;
    const sha256 = createHash('sha256').update(JSON.stringify(stored)).digest('hex');
    if (sha256 !== recorded.sha256 && pkg.version === recorded.version) {
      throw new Error(`mediator-config.json changed but the version is still ${pkg.version}: Core would ignore the new registration. Bump package.json's version (and mediator-config.json's), then record {"version": "<new>", "sha256": "${sha256}"} in openhim/mediator-config.version.json.`);
    }
    expect({ version: recorded.version, sha256: recorded.sha256 }).toEqual({ version: pkg.version, sha256 });
  });

  it('keeps its URN, name and at least one endpoint', () => {
    expect(MEDIATOR_CONFIG.urn).toBe('urn:mediator:passerelle-mpi');
    expect(MEDIATOR_CONFIG.name).toBeTruthy();
    expect(MEDIATOR_CONFIG.endpoints.length).toBeGreaterThanOrEqual(1);
    expect(MEDIATOR_CONFIG.endpoints.every((e) => e.name && e.host && e.port)).toBe(true);
  });

  it('declares one configDef per live setting, in step with the schema\'s types', () => {
    expect(MEDIATOR_CONFIG.configDefs.map((d) => d.param)).toEqual(LIVE_SETTING_KEYS);
    for (const def of MEDIATOR_CONFIG.configDefs) {
      expect({ param: def.param, type: def.type, array: def.array, values: def.values }).toEqual({ param: def.param, array: undefined, values: undefined, ...openhimTypeOf(def.param) });
      expect(def.displayName.length).toBeGreaterThan(0);
    }
  });

  it('keeps credentials in top-level password params, never inside structs or arrays', () => {
    const secrets = MEDIATOR_CONFIG.configDefs.filter((d) => /password|token|secret/i.test(d.param));
    expect(secrets.length).toBeGreaterThanOrEqual(SOURCE_PREFIXES.length);
    for (const d of secrets) expect({ param: d.param, type: d.type, array: d.array }).toEqual({ param: d.param, type: 'password', array: undefined });
    expect(MEDIATOR_CONFIG.configDefs.some((d) => d.type === 'struct')).toBe(false);
  });

  it('covers thresholds and margin, source URLs, credentials, intervals, page sizes, topics and switches', () => {
    const params = MEDIATOR_CONFIG.configDefs.map((d) => d.param);
    for (const p of ['matchUpperThreshold', 'matchLowerThreshold', 'matchRunnerUpMargin', 'kafkaTopicPatient', 'publish2xx', 'ncrQueryOnMatchMiss', 'logLevel']) expect(params).toContain(p);
    for (const s of SOURCE_PREFIXES) {
      for (const f of ['Enabled', 'BaseUrl', 'Username', 'Password', 'PollIntervalSeconds', 'PageSize']) expect(params).toContain(`${s}${f}`);
    }
  });

  it('passes Core\'s configDef checks, and its seeded config passes Core\'s config checks', () => {
    expect(configDefProblems(MEDIATOR_CONFIG.configDefs)).toEqual([]);
    const body = registrationBody(defaults);
    expect(configProblems(body.configDefs, body.config!)).toEqual([]);
  });

  it('never sends a credential to Core, even one set in the environment', () => {
    const parsed = parseLiveSettings({ dhis2Password: 'from-env', dhis2ApiToken: 'tok', ncrPassword: 'x' });
    if (!parsed.ok) throw new Error(parsed.problems.join());
    const seeded = seedConfig(MEDIATOR_CONFIG.configDefs, parsed.settings);
    expect([seeded.dhis2Password, seeded.dhis2ApiToken, seeded.ncrPassword]).toEqual(['', '', '']);
    expect(JSON.stringify(seeded)).not.toMatch(/from-env|tok"/);
  });

  it('offers channel templates for FHIR, MPI, the push routes and one polling channel per source', () => {
    const channels = MEDIATOR_CONFIG.defaultChannelConfig;
    expect(channelProblems(channels)).toEqual([]);
    const http = channels.filter((c) => c.type !== 'polling');
    const cases: Array<[string, string]> = [['/passerelle/fhir/Patient', '/fhir/Patient'], ['/passerelle/mpi/identities', '/mpi/identities'], ['/passerelle/channels/dhis2/tracked-entities', '/channels/dhis2/tracked-entities']];
    for (const [incoming, expected] of cases) {
      const hit = http.filter((c) => new RegExp(c.urlPattern).test(incoming));
      expect(hit).toHaveLength(1);
      expect(transform(incoming, hit[0]!.routes[0]!.pathTransform!)).toBe(expected);
    }
    const polling = channels.filter((c) => c.type === 'polling');
    expect(polling.map((c) => c.routes[0]!.path).sort()).toEqual(SOURCE_PREFIXES.map((s) => `/sync/${s}/run`).sort());
    for (const c of polling) expect(c.pollingSchedule).toBeTruthy();
  });
});

describe('openhim/openhim-import.json (Core POST /metadata)', () => {
  it('proves each routed request\'s origin with the deployment\'s secret as the route\'s Basic password (never a real secret in the file)', () => {
    for (const c of importFile.Channels) {
      for (const r of c.routes) {
        expect(r.password).toBe('__OPENHIM_SHARED_SECRET__');
        // A poll carries no OpenHIM client: the route's username names the Passerelle client it acts as.
        expect(r.username).toBe(c.type === 'polling' ? 'openhim-poller' : 'openhim');
      }
    }
  });

  it('installs exactly the channel templates of mediator-config.json', () => {
    expect(importFile.Channels).toEqual(MEDIATOR_CONFIG.defaultChannelConfig);
  });

  it('follows Core\'s channel schema rules', () => {
    expect(channelProblems(importFile.Channels)).toEqual([]);
  });

  it('declares clients for every role the private channels allow', () => {
    const roles = new Set(importFile.Clients.flatMap((c) => c.roles));
    const allowed = importFile.Channels.filter((c) => c.type !== 'polling' && c.authType !== 'public').flatMap((c) => c.allow ?? []);
    for (const role of allowed) expect(roles).toContain(role);
    // No credential ships in the file: an admin sets each client's password or certificate.
    for (const client of importFile.Clients) expect(Object.keys(client).filter((k) => /password|salt|hash|token|cert/i.test(k))).toEqual([]);
  });
});

describe('docker-compose.yml imports the channels on first start', () => {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { image?: string; depends_on?: Record<string, { condition: string }>; volumes?: string[]; command?: string[]; entrypoint?: string[]; environment?: Record<string, string>; restart?: string }> };
  const importer = compose.services['openhim-import']!;

  it('runs a one-shot importer once Core is healthy, with the repository\'s file', () => {
    expect(importer.depends_on?.['openhim-core']?.condition).toBe('service_healthy');
    expect(importer.restart).toBe('no');
    expect(importer.volumes?.some((v) => v.startsWith('./openhim/openhim-import.json:'))).toBe(true);
  });

  it('posts the file to /metadata only when the channels are not there yet, and fails on an import error', () => {
    const script = [...(importer.entrypoint ?? []), ...(importer.command ?? [])].join(' ');
    expect(script).toContain('/metadata');
    // The routes' password placeholder becomes the secret Passerelle checks.
    expect(script).toContain('s|__OPENHIM_SHARED_SECRET__|$$OPENHIM_SHARED_SECRET|g');
    expect(importer.environment?.OPENHIM_SHARED_SECRET).toBe(compose.services.passerelle!.environment!.OPENHIM_SHARED_SECRET);
    expect(compose.services.passerelle!.environment!.OPENHIM_TRUST_CLIENT_HEADER).toBe('true');
    expect(script).toContain(importFile.Channels[0]!.name);
    expect(script).toMatch(/Error/);
    expect(importer.environment?.OPENHIM_API_URL).toBe(compose.services.passerelle!.environment!.OPENHIM_API_URL);
  });
});
