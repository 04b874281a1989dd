/**
 * A generated population with its truth: households of persons, and several records per person in
 * several source systems (DHIS2 tracker, OpenMRS, the national client registry), each with the
 * source's own record key and identifier habits. Reproducible from the seed.
 */
import { recordValues } from './corrupt';
import type { RecordValues, SourceHabits } from './corrupt';
import { household } from './people';
import type { Country, Person } from './people';
import { createRng } from './random';
import type { Rng } from './random';

export type SourceSystem = 'dhis2' | 'openmrs' | 'ncr';

/** One generated record: the source's values plus the truth (entity, household, twin set). */
export interface GeneratedRecord extends RecordValues {
  /** The source system's own key for the record (DHIS2 UID, OpenMRS ID, registry number). */
  recordId: string;
  source: SourceSystem;
  /** Truth: the person. */
  entityId: string;
  household: string;
  twin?: string;
  country: Country;
}

/** Generator options. */
export interface PopulationOptions {
  persons: number;
  /** Share of the records that are extra records of a person already present (0 ≤ r < 1). */
  dupRate: number;
  seed: number;
  country?: Country | 'mixed';
  /** Probability that a record lacks its birth date, its phone or both. */
  sparse?: number;
}

export interface Population {
  persons: Person[];
  records: GeneratedRecord[];
}

const SOURCES: ReadonlyArray<readonly [SourceSystem, number]> = [['dhis2', 45], ['openmrs', 35], ['ncr', 20]];
/** How each source records people (identifiers carried, fields dropped). */
export const HABITS: Record<SourceSystem, SourceHabits> = {
  dhis2: { nationalId: 0.4, programme: 0.8, dropAddress: 0.3, dropGender: 0.08 },
  openmrs: { nationalId: 0.5, programme: 0.7, dropAddress: 0.2, dropGender: 0.02 },
  ncr: { nationalId: 0.9, programme: 0.1, dropAddress: 0.15, dropGender: 0.01 },
};
const UID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** OpenMRS ID characters (LuhnMod30IdentifierValidator: no B, I, O, Q, S, Z). */
const MOD30 = '0123456789ACDEFGHJKLMNPRTUVWXY';

function dhis2Uid(rng: Rng): string {
  let uid = UID_CHARS.charAt(rng.int(52));
  for (let i = 0; i < 10; i++) uid += UID_CHARS.charAt(rng.int(UID_CHARS.length));
  return uid;
}

/** An OpenMRS ID: a base-30 sequence number and its Luhn mod 30 check character. */
function openmrsId(n: number): string {
  let body = '';
  for (let x = n + 30 ** 4; x > 0; x = Math.floor(x / 30)) body = MOD30.charAt(x % 30) + body;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let v = MOD30.indexOf(body.charAt(body.length - 1 - i));
    if (i % 2 === 0) v = Math.floor((v * 2) / 30) + ((v * 2) % 30);
    sum += v;
  }
  return body + MOD30.charAt((30 - (sum % 30)) % 30);
}

function keyMaker(rng: Rng): (source: SourceSystem) => string {
  const used = new Set<string>();
  let openmrs = 0;
  let ncr = 0;
  return (source) => {
    for (;;) {
      const key = source === 'dhis2' ? dhis2Uid(rng) : source === 'openmrs' ? openmrsId(openmrs++) : `CR${String(++ncr).padStart(8, '0')}`;
      if (!used.has(key)) {
        used.add(key);
        return key;
      }
    }
  };
}

function people(rng: Rng, opts: PopulationOptions): Person[] {
  const counters = { person: 0, household: 0, twin: 0 };
  const ids = {
    person: () => `P${String(++counters.person).padStart(7, '0')}`,
    household: () => `H${String(++counters.household).padStart(6, '0')}`,
    twin: () => `T${String(++counters.twin).padStart(5, '0')}`,
  };
  const out: Person[] = [];
  while (out.length < opts.persons) {
    const country = opts.country === 'SN' || opts.country === 'UG' ? opts.country : rng.chance(0.5) ? 'SN' : 'UG';
    out.push(...household(rng, country, ids));
  }
  const kept = out.slice(0, opts.persons);
  // A twin whose sibling fell beyond the requested count is no longer one of a pair in the data.
  const twins = new Map<string, number>();
  for (const p of kept) if (p.twin) twins.set(p.twin, (twins.get(p.twin) ?? 0) + 1);
  for (const p of kept) if (p.twin && twins.get(p.twin) === 1) delete p.twin;
  return kept;
}

function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
  return items;
}

/**
 * Generate a population and its records (shuffled, as sources deliver them).
 * @param opts - size, duplicate rate, seed, country, sparseness
 * @returns the persons (truth) and the records
 */
export function generatePopulation(opts: PopulationOptions): Population {
  if (!(opts.dupRate >= 0 && opts.dupRate < 1)) throw new Error('dupRate must be in [0, 1)');
  const rng = createRng(opts.seed);
  const persons = people(rng, opts);
  const extra = Math.round((persons.length * opts.dupRate) / (1 - opts.dupRate));
  const counts = persons.map(() => 1);
  for (let i = 0; i < extra; i++) counts[rng.int(persons.length)]! += 1;
  const key = keyMaker(rng);
  const records: GeneratedRecord[] = [];
  persons.forEach((p, i) => {
    for (let k = 0; k < (counts[i] as number); k++) {
      const source = rng.weighted(SOURCES);
      const values = recordValues(rng, p, HABITS[source], { sparse: opts.sparse ?? 0 });
      records.push({ ...values, recordId: key(source), source, entityId: p.id, household: p.household, ...(p.twin ? { twin: p.twin } : {}), country: p.country });
    }
  });
  return { persons, records: shuffle(rng, records) };
}
