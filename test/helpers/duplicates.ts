/**
 * Generated possible duplicates for the steward page's tests: for each pair, a person as DHIS2 knows
 * them and the same person (or a near namesake) as another system registered them with the kind of
 * differences clerks make — a different first name used, a day of birth mistyped, a phone number
 * added. Each pair is a distinct person (own name and birth date), so pairs never match each other,
 * and each second record lands in the review band (a task), which the generator checks.
 */
import type { Patient } from 'fhir/r4';
import type { BulkItemResult, RegisterSourceInput, RegistryService } from '../../src/registry/api';

const GIVEN = ['Aminata', 'Mariama', 'Aissatou', 'Rokhaya', 'Seynabou', 'Dieynaba', 'Khadidiatou', 'Maimouna', 'Ramatoulaye', 'Fatoumata', 'Ndeye Coumba', 'Oumoulkhairy'];
// Family names built from three parts, so every pair has a name of its own (1,260 of them).
const STARTS = ['Nd', 'D', 'S', 'F', 'G', 'K', 'Mb', 'N', 'Th', 'C', 'B', 'L', 'T', 'W', 'Dj'];
const VOWELS = ['ia', 'a', 'ou', 'e', 'i', 'o'];
const ENDS = ['ye', 'llo', 'rr', 'll', 'ne', 'ng', 'm', 'sse', 'ck', 'mara', 'gue', 'ba', 'ly', 'w'];
const SOURCES = ['openmrs', 'ihris', 'ncr'];

/** One generated pair: the first record's golden record and the review task the second one raised. */
export interface GeneratedPair {
  index: number;
  candidateMpiId: string;
  taskId: string;
  first: Patient;
  second: Patient;
  secondSource: string;
}

/**
 * The family name of pair `i` (distinct for i < 1,260).
 * @param i - pair number
 */
export function familyOf(i: number): string {
  const s = STARTS[i % STARTS.length] as string;
  const v = VOWELS[Math.floor(i / STARTS.length) % VOWELS.length] as string;
  const e = ENDS[Math.floor(i / (STARTS.length * VOWELS.length)) % ENDS.length] as string;
  return `${s}${v}${e}`;
}

/** A one-letter slip in a given name (the third letter from the end dropped). */
function slip(name: string): string {
  return name.slice(0, -3) + name.slice(-2);
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Pair `i`'s birth date: a year, month and day no other pair has (for i < 1,440). */
function birthOf(i: number): { y: number; m: number; d: number } {
  // Days 3 or 7 (mistyped as 13 or 17): never a heaped date (1 January, 15 June…) that only agrees on the year.
  return { y: 1940 + (i % 60), m: (Math.floor(i / 60) % 12) + 1, d: 3 + 4 * Math.floor(i / 720) };
}

/** A phone number far (many digits) from every other pair's. */
function phone(prefix: string, i: number, mult: number): string {
  return `+221${prefix}${pad((i * mult + 1_234_567) % 10_000_000, 7)}`;
}

/**
 * The two records of pair `i`. Three kinds of second record, by `i % 3`, land in the three score
 * bands of the queue: a slip in the first name and the day of birth, no phone and no sex (high,
 * ≈0.95); the same with sex and a different phone (medium, ≈0.82); the same first name born another
 * month of the same year with a different phone (low, ≈0.65). All moved to another region.
 * @param i - pair number (0-based; distinct numbers give distinct people)
 */
export function pairRecords(i: number): { first: Patient; second: Patient; secondSource: string } {
  const family = familyOf(i);
  // Pairs born the same year (i, i + 60, …) never share a first name.
  const given = GIVEN[(i + Math.floor(i / 60) + Math.floor(i / 720)) % GIVEN.length] as string;
  const b = birthOf(i);
  const birthDate = `${b.y}-${pad(b.m, 2)}-${pad(b.d, 2)}`;
  const first: Patient = {
    resourceType: 'Patient', identifier: [{ system: 'urn:passerelle:test:dhis2', value: `TEI${pad(i, 6)}` }],
    name: [{ use: 'official', family, given: [given] }], gender: 'female', birthDate,
    telecom: [{ system: 'phone', value: phone('77', i, 7919) }], address: [{ state: 'DKR', country: 'SN' }],
  };
  const kind = i % 3;
  const secondBirth = kind === 2 ? `${b.y}-${pad(((b.m + 5) % 12) + 1, 2)}-${b.d + 22}` : `${b.y}-${pad(b.m, 2)}-${pad(b.d + 10, 2)}`;
  const second: Patient = {
    resourceType: 'Patient', identifier: [{ system: 'urn:passerelle:test:other', value: `OTH${pad(i, 6)}` }],
    name: [{ use: 'official', family, given: [kind === 2 ? given : slip(given)] }], birthDate: secondBirth, address: [{ state: 'THS', country: 'SN' }],
    ...(kind === 0 ? {} : { gender: 'female' as const, telecom: [{ system: 'phone', value: phone('76', i, 104_729) }] }),
  };
  // Source systems cycle independently of the kind (and so of the score band).
  return { first, second, secondSource: SOURCES[Math.floor(i / 3) % SOURCES.length] as string };
}

/**
 * Register in `lanes` concurrent bulk calls, keeping the order of the results.
 * @param registry - the registry service
 * @param inputs - the registrations
 * @param lanes - how many bulk calls run at once
 */
async function registerInLanes(registry: RegistryService, inputs: RegisterSourceInput[], lanes: number): Promise<BulkItemResult[]> {
  const size = Math.ceil(inputs.length / lanes);
  const chunks = Array.from({ length: Math.ceil(inputs.length / size) }, (_, k) => inputs.slice(k * size, (k + 1) * size));
  return (await Promise.all(chunks.map((c) => registry.registerMany(c)))).flat();
}

/**
 * Register `count` pairs through the registry service (first records, then second ones); every
 * second record must raise a task.
 * @param registry - the app's registry service
 * @param count - number of pairs
 * @param opts - `from`: number of the first pair; `lanes`: concurrent bulk calls (distinct people never contend)
 */
export async function generateDuplicates(registry: RegistryService, count: number, opts: { from?: number; lanes?: number } = {}): Promise<GeneratedPair[]> {
  const from = opts.from ?? 0;
  const lanes = opts.lanes ?? 1;
  const actor = { clientId: 'test-loader' };
  const records = Array.from({ length: count }, (_, k) => pairRecords(from + k));
  const firsts = await registerInLanes(registry, records.map((r) => ({ patient: r.first, sourceSystem: 'dhis2', actor })), lanes);
  const seconds = await registerInLanes(registry, records.map((r) => ({ patient: r.second, sourceSystem: r.secondSource, actor })), lanes);
  return seconds.map((res, k) => {
    const first = firsts[k];
    if (!first?.ok || !res.ok || res.result.outcome !== 'review' || !res.result.reviewTaskId) {
      throw new Error(`generated pair ${from + k} did not raise a review task (${res.ok ? res.result.outcome : res.error.message})`);
    }
    return { index: from + k, candidateMpiId: first.result.golden.mpiId, taskId: res.result.reviewTaskId, ...(records[k] as ReturnType<typeof pairRecords>) };
  });
}
