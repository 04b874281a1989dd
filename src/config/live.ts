/**
 * Live settings: what an operator may change while Passerelle runs — match thresholds, source-system
 * connections (URLs, credentials, poll intervals, page sizes), topic switches. One flat object whose keys
 * are the `param`s of `mediator-config.json`'s configDefs (OpenHIM keeps config as flat top-level params;
 * credentials must be top-level `password` params, never inside arrays of structs: openhim.md).
 *
 * Start-up values come from the environment, each key under its SCREAMING_SNAKE name
 * (`dhis2BaseUrl` ← `DHIS2_BASE_URL`); OpenHIM's console config (src/openhim) is validated with the same
 * schema before it replaces the live value, and the parts that use a setting (the matcher, the channels)
 * are handed the new object. A value from the environment is a string, one from OpenHIM is typed JSON:
 * the schema accepts both.
 */
import { z } from 'zod';
import { matchRuleFields } from '../registry/matching/rules';

const flag = z.preprocess((v) => (typeof v === 'string' ? ['true', '1', 'yes'].includes(v.trim().toLowerCase()) : v), z.boolean());
const count = (min: number, max: number): z.ZodCoercedNumber => z.coerce.number().int().min(min).max(max);
const list = z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(z.string().min(1)));
const httpUrl = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));
const secret = z.string().min(1);
/** A DHIS2 UID: 11 characters, a letter first (DHIS2 CodeGenerator). */
/** A Kafka topic name (Kafka's legal characters, at most 249). */
const topic = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name (letters, digits, . _ -)');
/** pino's levels, in the order OpenHIM's console lists them. */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const dhis2Uid = z.string().regex(/^[A-Za-z][A-Za-z0-9]{10}$/, 'must be a DHIS2 UID (11 characters, a letter first)');
const uidList = z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(dhis2Uid));
const systemUri = z.string().regex(/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/, 'must be a URI (an identifier system)');
/** `key=value` pairs (a comma-separated list from the environment, or a JSON array of strings). */
const pairs = z.preprocess((v) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v), z.array(z.string().regex(/^[^=\s]+=\S+$/, 'each entry must be key=value')));

/** The settings every polling source system has, by suffix. */
const SOURCE_FIELDS = {
  Enabled: flag.default(false),
  BaseUrl: httpUrl.optional(),
  Username: z.string().min(1).optional(),
  Password: secret.optional(),
  PollIntervalSeconds: count(5, 86_400).default(300),
  PageSize: count(1, 5_000).default(500),
  TimeoutMs: count(100, 600_000).default(30_000),
};
type SourceFields<P extends string> = { [K in keyof typeof SOURCE_FIELDS as `${P}${K}`]: (typeof SOURCE_FIELDS)[K] };

/**
 * The common settings of one source system, keyed `<prefix><Field>` (dhis2BaseUrl, ihrisPageSize…).
 * @param prefix - the source's short name
 */
function sourceSettings<P extends string>(prefix: P): SourceFields<P> {
  return Object.fromEntries(Object.entries(SOURCE_FIELDS).map(([k, v]) => [`${prefix}${k}`, v])) as SourceFields<P>;
}

/**
 * What the channels' mappings need (src/transforms): the identifier systems each source's records
 * land under, and the DHIS2 tracked-entity attributes that carry a person's demographics. The
 * attribute UIDs default to the Sierra Leone demo database's Person attributes
 * (source-systems.md §1.8); a list is tried in order, the first attribute with a value wins.
 */
const CHANNEL_MAPPING_FIELDS = {
  nationalIdSystem: systemUri.default('urn:passerelle:national-id').describe('Identifier system of the national ID (typed NI by the mappings)'),
  dhis2IdentifierSystem: systemUri.default('urn:passerelle:dhis2:tracked-entity').describe('Identifier system of DHIS2 tracked-entity UIDs (the source key)'),
  dhis2LegacyApi: flag.default(false).describe('Poll the legacy /api/trackedEntityInstances (DHIS2 up to 2.40; removed in 2.42)'),
  dhis2FirstNameAttributes: uidList.default(['w75KJ2mc4zz']).describe('Tracked-entity attributes holding the first name'),
  dhis2LastNameAttributes: uidList.default(['zDhUuAYrxNC']).describe('Tracked-entity attributes holding the last name'),
  dhis2SexAttributes: uidList.default(['cejWyOfXge6']).describe('Tracked-entity attributes holding the sex (option codes Male/Female)'),
  dhis2BirthDateAttributes: uidList.default(['iESIqZ0R0R0', 'gHGyrwKPzej']).describe('Tracked-entity attributes holding the date of birth'),
  dhis2NationalIdAttributes: uidList.default(['AuPLng5hLbE']).describe('Tracked-entity attributes holding the national ID'),
  dhis2PhoneAttributes: uidList.default(['P2cwLGskgxn', 'Agywv2JGwuq']).describe('Tracked-entity attributes holding a phone number'),
  dhis2AddressAttributes: uidList.default(['VqEFza8wbwA']).describe('Tracked-entity attributes holding the address line'),
  openmrsIdentifierSystem: systemUri.default('urn:passerelle:openmrs:patient').describe('Identifier system of OpenMRS patient UUIDs (the source key)'),
  openmrsIdentifierTypeSystems: pairs.default([]).describe('OpenMRS identifier type (UUID or name) = identifier system, for types the FHIR2 module does not map'),
  openmrsMpiIdentifierLocation: z.uuid().optional().describe('Location UUID of written-back MPI identifiers (when the identifier type requires one)'),
  ihrisIdentifierSystem: systemUri.default('urn:passerelle:ihris:practitioner').describe('Identifier system of iHRIS Practitioner ids'),
  ncrIdentifierSystem: systemUri.default('urn:passerelle:ncr:patient').describe("Identifier system under which the national registry's own ID (its golden record id) is cross-referenced"),
  ncrSendDelaySeconds: count(0, 3600).default(60).describe('How old a golden-record change must be before it is sent to the national registry (a change a crash recovery finishes late keeps its place)'),
  ncrClientId: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional().describe('Client id sent to the national registry as x-openhim-clientid (OpenCR needs one)'),
};

const shape = {
  // The rule set's own fields (defaults and bounds stated once, in registry/matching/rules.ts).
  matchUpperThreshold: matchRuleFields.upperThreshold,
  matchLowerThreshold: matchRuleFields.lowerThreshold,
  matchRunnerUpMargin: matchRuleFields.runnerUpMargin,
  ...sourceSettings('dhis2'),
  dhis2ApiToken: secret.optional().describe('DHIS2 personal access token (sent as `Authorization: ApiToken …`); preferred over username/password'),
  dhis2Programs: list.default([]).describe('Tracker program UIDs to poll (empty: tracked entities of the configured type in every program)'),
  dhis2OrgUnits: list.default([]).describe('Org unit UIDs to poll, with their descendants'),
  dhis2TrackedEntityType: dhis2Uid.optional().describe('Tracked entity type UID (a Person type)'),
  dhis2MpiIdAttribute: dhis2Uid.optional().describe('Tracked entity attribute UID the MPI ID is written back to (none: no write-back)'),
  ...sourceSettings('openmrs'),
  openmrsMpiIdentifierType: z.uuid().optional().describe('OpenMRS patient identifier type UUID the MPI ID is written back as (none: no write-back)'),
  openmrsChangeFeed: z.enum(['fhir2', 'atomfeed']).default('fhir2').describe('How OpenMRS changes are read: the FHIR2 module\'s Patient search, or the Atom Feed module\'s patient feed with each patient read through REST Web Services v1 (OpenMRS without FHIR2; also sees voided patients)'),
  ...sourceSettings('ihris'),
  ...sourceSettings('ncr'),
  ncrQueryOnMatchMiss: flag.default(false).describe('Ask the national client registry when $match finds nothing'),
  syncConcurrency: count(1, 16).default(2).describe('Channels that may sync at the same time'),
  ...CHANNEL_MAPPING_FIELDS,
  publish2xx: flag.default(false).describe('Also publish accepted Bundles as-is on the 2xx topic (Instant OpenHIE)'),
  kafkaTopicPatient: topic.default('passerelle.patient.identity').describe('Topic of Patient identity events'),
  kafkaTopicPractitioner: topic.default('passerelle.practitioner.identity').describe('Topic of health-worker identity events'),
  kafkaTopicReview: topic.default('passerelle.review').describe('Topic of review-task events'),
  kafkaTopicDlq: topic.default('passerelle.ingest.dlq').describe('Topic of inbound payloads that could not be mapped'),
  kafkaTopic2xx: topic.default('2xx').describe('Topic of accepted Bundles when publish2xx is on'),
  logLevel: z.enum(LOG_LEVELS).default('info').describe('Log level'),
};

/**
 * Environment names that do not follow {@link envNameOf}'s rule: the digits of `2xx` would otherwise
 * run into the word before them (`KAFKA_TOPIC2XX`), and these names are documented (README, contracts §2).
 */
const ENV_NAME_EXCEPTIONS: Partial<Record<string, string>> = { kafkaTopic2xx: 'KAFKA_TOPIC_2XX', publish2xx: 'KAFKA_PUBLISH_2XX' };

/** Schema of the live settings (start-up from the environment, run time from OpenHIM). */
export const liveSettingsSchema = z.object(shape);

/** The validated live settings. */
export type LiveSettings = z.output<typeof liveSettingsSchema>;

/** The source systems that have connection settings. */
export const SOURCE_PREFIXES = ['dhis2', 'openmrs', 'ihris', 'ncr'] as const;

/**
 * The environment variable of a live setting: `dhis2BaseUrl` → `DHIS2_BASE_URL`.
 * @param key - a live-settings key
 */
export function envNameOf(key: string): string {
  return ENV_NAME_EXCEPTIONS[key] ?? key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The settings' keys, in schema order. */
export const LIVE_SETTING_KEYS = Object.keys(shape) as Array<keyof LiveSettings>;

/**
 * Validate a candidate settings object; every problem is listed (`key: message`), nothing is thrown.
 * @param candidate - flat key → value (typed JSON from OpenHIM, or strings from the environment)
 */
export function parseLiveSettings(candidate: Record<string, unknown>): { ok: true; settings: LiveSettings } | { ok: false; problems: string[] } {
  const r = liveSettingsSchema.safeParse(candidate);
  const problems = r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`);
  if (r.success && r.data.matchLowerThreshold > r.data.matchUpperThreshold) {
    problems.push('matchLowerThreshold: must not exceed matchUpperThreshold');
  }
  return r.success && problems.length === 0 ? { ok: true, settings: r.data } : { ok: false, problems };
}

/**
 * The start-up live settings from the environment (each key under its env name; empty = unset).
 * @param env - process.env
 */
export function liveSettingsFromEnv(env: NodeJS.ProcessEnv): ReturnType<typeof parseLiveSettings> {
  return parseLiveSettings(liveCandidateFromEnv(env));
}

/**
 * The live settings the environment sets, as unparsed strings keyed by setting (empty = unset). Kept
 * apart from the parsed value because OpenHIM's config is laid over it, and the two are parsed together.
 * @param env - process.env
 */
export function liveCandidateFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const candidate: Record<string, string> = {};
  for (const key of LIVE_SETTING_KEYS) {
    const v = env[envNameOf(key)];
    if (v !== undefined && v !== '') candidate[key] = v;
  }
  return candidate;
}
