/**
 * Seeded random inputs for the mapping engines' equivalence test: the golden inputs of a mapping
 * with random mutations (fields removed, values of the wrong type, empty or odd arrays, values
 * wrapped in arrays, 100 KB strings, unicode, lone surrogates), and whole random JSON values. The
 * same seed gives the same inputs, so a failing case is reproduced by its seed and index.
 */
import { mulberry32 } from '../../src/registry/matching';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Rand = () => number;

/** Field names the mappings read (so mutations reach the expressions), and a few that trap naive lookups. */
const KEYS = [
  'id', 'uuid', 'value', 'system', 'use', 'type', 'coding', 'code', 'text', 'display', 'url', 'extension', 'valueString',
  'valueInteger', 'attribute', 'attributes', 'enrollments', 'trackedEntity', 'trackedEntityInstance', 'inactive', 'identifier',
  'identifiers', 'identifierType', 'person', 'names', 'addresses', 'voided', 'preferred', 'given', 'family', 'name', 'telecom',
  'address', 'gender', 'birthDate', 'birthdate', 'practitioner', 'reference', 'meta', 'profile', 'fields', 'record_id',
  'constructor', 'toString', 'length', 'sequence', '_jsonata_lambda', 'then', '',
];

const UNICODE = ['Ñandú', 'Ołeksandr', 'محمد', '李小龙', 'Zoë', '👩🏽‍⚕️', 'e\u0301', '\u200b', '\ud800', 'a\u0000b', '\n\t '];
const SHAPED = [
  '', ' ', '  x  ', 'Male', 'Female', 'M', 'F', 'O', 'male', 'phone', 'email', 'official', 'usual', 'true', 'null',
  '2019-08-21T13:25:38.022', '2014-03-28 12:27:52.399', '1936-12-04T00:00:00.000+0000', '2019-02-30', '1990-01-01', '19900101',
  '1990', '1990-13', '076 123456', '+23276123456', '12', 'A1234567890', 'x', 'Practitioner/P1', 'Patient/1', '42', '-1.5',
  '1e3', '0x1F', 'abc', 'http://fhir.openmrs.org/ext/address', 'http://fhir.openmrs.org/ext/address#address1',
  'http://terminology.hl7.org/CodeSystem/v2-0360|2.7', 'Old Identification Number = 100-1', 'w75KJ2mc4zz', 'zDhUuAYrxNC',
  'cejWyOfXge6', 'iESIqZ0R0R0', 'AuPLng5hLbE', 'P2cwLGskgxn', 'VqEFza8wbwA', 'urn:passerelle:national-id',
];

const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T;

function randomString(rand: Rand): string {
  const r = rand();
  if (r < 0.01) return 'x'.repeat(100_000);
  if (r < 0.2) return pick(rand, UNICODE) + (rand() < 0.5 ? pick(rand, SHAPED) : '');
  if (r < 0.8) return pick(rand, SHAPED);
  return Array.from({ length: Math.floor(rand() * 12) }, () => String.fromCharCode(32 + Math.floor(rand() * 95))).join('');
}

function randomNumber(rand: Rand): number {
  return pick(rand, [0, -0, 1, -1, 2, 8, 1.5, 0.1 + 0.2, 1e21, -1e-7, 123456789012, Number.MAX_SAFE_INTEGER]);
}

/**
 * A random JSON value.
 * @param rand - the generator
 * @param depth - how many levels of objects and arrays it may still nest
 */
export function randomJson(rand: Rand, depth = 3): Json {
  const r = rand();
  if (r < 0.08) return null;
  if (r < 0.16) return rand() < 0.5;
  if (r < 0.3) return randomNumber(rand);
  if (r < 0.6 || depth <= 0) return randomString(rand);
  if (r < 0.8) return Array.from({ length: Math.floor(rand() * 4) }, () => randomJson(rand, depth - 1));
  const o: Record<string, Json> = {};
  for (let i = Math.floor(rand() * 5); i > 0; i--) o[rand() < 0.85 ? pick(rand, KEYS) : randomString(rand).slice(0, 8)] = randomJson(rand, depth - 1);
  return o;
}

/** Every place in a value (objects' fields and arrays' items), as parent and key. */
function places(value: Json, out: Array<{ parent: Json[] | Record<string, Json>; key: string | number }> = []): typeof out {
  if (Array.isArray(value)) value.forEach((v, i) => { out.push({ parent: value, key: i }); places(v, out); });
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) { out.push({ parent: value, key: k }); places(v, out); }
  return out;
}

/** One random change at one random place. */
function mutate(rand: Rand, root: Json): Json {
  const all = places(root);
  if (all.length === 0) return randomJson(rand);
  const { parent, key } = pick(rand, all);
  const p = parent as Record<string | number, Json>;
  const current = p[key] as Json;
  const r = rand();
  if (r < 0.2 && !Array.isArray(parent)) delete p[key];
  else if (r < 0.2) (parent as Json[]).splice(key as number, 1);
  else if (r < 0.55) p[key] = randomJson(rand, 2);
  else if (r < 0.65) p[key] = [current];
  else if (r < 0.72) p[key] = Array.isArray(current) ? [] : {};
  else if (r < 0.8 && Array.isArray(current)) current.push(randomJson(rand, 2), current[0] ?? null);
  else if (r < 0.9 && current !== null && typeof current === 'object' && !Array.isArray(current)) current[pick(rand, KEYS)] = randomJson(rand, 2);
  else p[key] = randomString(rand);
  return root;
}

/**
 * `n` seeded inputs: mostly mutated copies of the golden inputs (1 to 4 changes each), a tenth
 * random JSON values of any shape.
 * @param seed - 32-bit seed
 * @param seeds - the golden inputs of the mapping
 * @param n - how many
 */
export function fuzzInputs(seed: number, seeds: readonly unknown[], n: number): unknown[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => {
    if (seeds.length === 0 || rand() < 0.1) return randomJson(rand, 4);
    let value = structuredClone(pick(rand, seeds)) as Json;
    for (let changes = 1 + Math.floor(rand() * 4); changes > 0; changes--) value = mutate(rand, value);
    return value;
  });
}

/** The Sierra Leone demo's attribute UIDs (the defaults of DHIS2_*_ATTRIBUTES) and a few others. */
const DHIS2_UIDS = ['w75KJ2mc4zz', 'zDhUuAYrxNC', 'cejWyOfXge6', 'iESIqZ0R0R0', 'gHGyrwKPzej', 'AuPLng5hLbE', 'P2cwLGskgxn', 'Agywv2JGwuq', 'VqEFza8wbwA', 'ruQQnf6rswq', 'lZGmxYbs97q'];

function randomAttribute(rand: Rand): Json {
  const r = rand();
  if (r < 0.05) return pick(rand, [null, 3, 'w75KJ2mc4zz', [], {}]);
  const attribute: Json = r < 0.1 ? randomJson(rand, 1) : pick(rand, DHIS2_UIDS);
  const value: Json = rand() < 0.6 ? pick(rand, SHAPED.concat(UNICODE)) : randomJson(rand, 1);
  return rand() < 0.05 ? { attribute } : { attribute, value, ...(rand() < 0.3 ? { displayName: randomString(rand) } : {}) };
}

/**
 * A random DHIS2 tracked entity in any version's field names: UID of any type or missing, attributes
 * (configured UIDs mostly) with values of any type, odd entries, program attributes under enrollments.
 * @param rand - the generator
 */
export function randomTrackedEntity(rand: Rand): Json {
  const te: Record<string, Json> = {};
  // Mostly valid UIDs, so that most entities get past the UID check to the demographics.
  const uid = (): Json => (rand() < 0.8 ? pick(rand, ['A1234567890', 'PQfMcpmXeFE', 'uHu3hxCRCnK']) : rand() < 0.5 ? pick(rand, ['x', '1234567890A', 'A123456789012']) : randomJson(rand, 1));
  if (rand() < 0.85) te.trackedEntity = uid();
  if (rand() < 0.3) te.trackedEntityInstance = uid();
  if (rand() < 0.3) te.inactive = rand() < 0.7 ? rand() < 0.5 : randomJson(rand, 1);
  const attributes = (): Json => (rand() < 0.9 ? Array.from({ length: Math.floor(rand() * 9) }, () => randomAttribute(rand)) : randomJson(rand, 2));
  if (rand() < 0.9) te.attributes = attributes();
  if (rand() < 0.4) te.enrollments = rand() < 0.9 ? Array.from({ length: Math.floor(rand() * 3) }, () => (rand() < 0.9 ? { attributes: attributes() } : randomJson(rand, 1))) : randomJson(rand, 2);
  if (rand() < 0.2) te[pick(rand, KEYS)] = randomJson(rand, 2);
  return te;
}

/**
 * `n` seeded random tracked entities.
 * @param seed - 32-bit seed
 * @param n - how many
 */
export function fuzzTrackedEntities(seed: number, n: number): unknown[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, () => randomTrackedEntity(rand));
}
