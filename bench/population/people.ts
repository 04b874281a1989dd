/**
 * Persons in households: a head, a spouse, children (twins among them, same and opposite sex) and
 * sometimes a grandparent, sharing a family name (mostly), a phone, an address and a place.
 * Senegalese households pass the father's family name to the children and wives often keep their
 * own; Ugandan children often carry their own personal name as a surname.
 */
import { withCheckDigit } from '../../src/registry/matching/check-digits';
import {
  SN_FAMILY, SN_FEMALE, SN_MALE, SN_PLACES, SN_QUARTERS, SN_TWIN_NAMES,
  UG_FAMILY, UG_FEMALE, UG_MALE, UG_PLACES, UG_TWIN_NAMES, UG_ZONES,
} from './names';
import { zipf } from './random';
import type { Rng } from './random';

export type Country = 'SN' | 'UG';
export type Sex = 'male' | 'female';

/** A generated person: the truth every record of theirs is drawn from. */
export interface Person {
  id: string;
  household: string;
  /** Shared by the members of one set of twins. */
  twin?: string;
  country: Country;
  sex: Sex;
  /** Given name as usually written, without its prefix. */
  given: string;
  /** Compound prefix or title written before the given name by some records (Ndeye, El Hadji...). */
  prefix?: string;
  family: string;
  birth: { year: number; month: number; day: number };
  /** False: the real date is unknown and records carry an estimate (1 January or the year only). */
  dateKnown: boolean;
  /** Own mobile number (national significant number), if any. */
  phone?: string;
  householdPhone: string;
  city: string;
  region: string;
  address: string;
  /** National ID with a Verhoeff check digit (adults only). */
  nationalId?: string;
  /** Programme (ART/TB) number, typed by hand, no check digit. */
  programmeNumber?: string;
}

/** The year records are generated in: ages are counted from it. */
export const REFERENCE_YEAR = 2026;
const HOUSEHOLD_SIZES: ReadonlyArray<readonly [number, number]> = [[1, 8], [2, 10], [3, 13], [4, 16], [5, 17], [6, 14], [7, 12], [8, 10]];
const TWIN_RATE = 0.04;

const draw = {
  SN: { male: zipf(SN_MALE, 0.9), female: zipf(SN_FEMALE, 0.9), family: zipf(SN_FAMILY, 0.8), place: zipf(SN_PLACES, 0.9), quarter: zipf(SN_QUARTERS, 0.6) },
  UG: { male: zipf(UG_MALE, 0.9), female: zipf(UG_FEMALE, 0.9), family: zipf(UG_FAMILY, 0.6), place: zipf(UG_PLACES, 0.9), quarter: zipf(UG_ZONES, 0.6) },
};

interface HouseholdContext {
  rng: Rng;
  country: Country;
  id: string;
  family: string;
  phone: string;
  city: string;
  region: string;
  address: string;
  usedGiven: Set<string>;
  nextPerson: () => string;
  nextTwin: () => string;
}

function mobile(rng: Rng, country: Country): string {
  const second = country === 'SN' ? rng.pick(['0', '5', '6', '7', '8']) : rng.pick(['0', '1', '4', '5', '7', '8']);
  return `7${second}${String(rng.int(1e7)).padStart(7, '0')}`;
}

function addressOf(rng: Rng, country: Country): string {
  const quarter = draw[country].quarter.draw(rng);
  if (country === 'SN') return rng.chance(0.6) ? `Villa ${rng.between(1, 999)} ${quarter}` : `${quarter} Lot ${rng.between(1, 400)}`;
  return rng.chance(0.6) ? `Plot ${rng.between(1, 600)} ${quarter}` : `${quarter} Zone ${rng.pick(['A', 'B', 'C', 'D', 'E', 'F'])} House ${rng.between(1, 90)}`;
}

function birthOf(rng: Rng, age: number): Person['birth'] {
  return { year: REFERENCE_YEAR - 1 - age, month: rng.between(1, 12), day: rng.between(1, 28) };
}

function nationalIdOf(rng: Rng, p: Pick<Person, 'country' | 'sex' | 'birth'>): string {
  const yy = String(p.birth.year % 100).padStart(2, '0');
  const body = `${yy}${String(rng.int(1e9)).padStart(9, '0')}`;
  if (p.country === 'SN') return withCheckDigit(`${p.sex === 'male' ? 1 : 2}${body}`, 'verhoeff');
  return `C${p.sex === 'male' ? 'M' : 'F'}${withCheckDigit(body, 'verhoeff')}`;
}

function programmeNumberOf(rng: Rng, country: Country): string {
  const year = rng.between(2005, 2025);
  return country === 'SN' ? `TARV-${year}-${String(rng.int(1e5)).padStart(5, '0')}` : `ART-${rng.pick(['KLA', 'MBR', 'GUL', 'JJA', 'MBL'])}-${String(rng.int(1e5)).padStart(5, '0')}`;
}

/**
 * Whether a name is a variant of one already given in the household (Fatou and Fatoumata, Amadou
 * and Mamadou): parents give their children, twins above all, names that differ.
 */
function variantOf(name: string, used: Set<string>): boolean {
  const a = name.toUpperCase();
  for (const u of used) {
    const b = u.toUpperCase();
    if (a.includes(b) || b.includes(a) || a.slice(0, 3) === b.slice(0, 3)) return true;
  }
  return false;
}

function givenOf(ctx: HouseholdContext, sex: Sex): string {
  for (let tries = 0; tries < 30; tries++) {
    const g = draw[ctx.country][sex].draw(ctx.rng);
    if (!variantOf(g, ctx.usedGiven)) {
      ctx.usedGiven.add(g);
      return g;
    }
  }
  return draw[ctx.country][sex].draw(ctx.rng);
}

/** Compound prefixes and titles Senegalese records put before a given name, by how common they are. */
function prefixOf(rng: Rng, country: Country, sex: Sex, age: number): string | undefined {
  if (country !== 'SN') return undefined;
  if (sex === 'female') return rng.chance(0.22) ? rng.weighted([['Ndeye', 60], ['Mame', 20], ['Sokhna', 15], ['Yaye', 5]] as const) : undefined;
  if (!rng.chance(0.15)) return undefined;
  const prefix = rng.weighted([['Pape', 40], ['El Hadji', 25], ['Serigne', 20], ['Mame', 10], ['Baye', 5]] as const);
  return prefix === 'El Hadji' && age < 40 ? 'Pape' : prefix;
}

function person(ctx: HouseholdContext, sex: Sex, age: number, family: string, given = givenOf(ctx, sex)): Person {
  const { rng, country } = ctx;
  const birth = birthOf(rng, age);
  const dateKnown = !rng.chance(age >= 45 ? 0.4 : age >= 18 ? 0.15 : 0.04);
  const p: Person = {
    id: ctx.nextPerson(), household: ctx.id, country, sex, given, family, birth, dateKnown,
    householdPhone: ctx.phone, city: ctx.city, region: ctx.region, address: ctx.address,
  };
  const prefix = prefixOf(rng, country, sex, age);
  if (prefix) p.prefix = prefix;
  if (age >= 18 && rng.chance(0.7)) p.phone = mobile(rng, country);
  if (age >= 16 && rng.chance(0.85)) p.nationalId = nationalIdOf(rng, p);
  if (age >= 1 && rng.chance(0.12)) p.programmeNumber = programmeNumberOf(rng, country);
  return p;
}

function childFamily(ctx: HouseholdContext): string {
  // Ugandan children often carry their own personal name as a surname.
  return ctx.country === 'UG' && ctx.rng.chance(0.4) ? draw.UG.family.draw(ctx.rng) : ctx.family;
}

function twins(ctx: HouseholdContext, age: number): Person[] {
  const { rng, country } = ctx;
  const sexes: [Sex, Sex] = rng.chance(0.35) ? ['male', 'female'] : rng.chance(0.5) ? ['male', 'male'] : ['female', 'female'];
  let names: [string, string] = [givenOf(ctx, sexes[0]), givenOf(ctx, sexes[1])];
  let families: [string, string] = [childFamily(ctx), childFamily(ctx)];
  if (country === 'SN' && sexes[0] !== sexes[1] && rng.chance(0.5)) names = [...SN_TWIN_NAMES.mixed];
  if (country === 'SN' && sexes[0] === 'male' && sexes[1] === 'male' && rng.chance(0.6)) names = [...SN_TWIN_NAMES.male];
  if (country === 'UG' && sexes[0] === sexes[1] && rng.chance(0.8)) families = [...UG_TWIN_NAMES[sexes[0]]];
  const twinId = ctx.nextTwin();
  const pair = [person(ctx, sexes[0], age, families[0], names[0]), person(ctx, sexes[1], age, families[1], names[1])];
  const second = pair[1] as Person;
  second.birth = { ...(pair[0] as Person).birth };
  second.dateKnown = (pair[0] as Person).dateKnown;
  for (const t of pair) t.twin = twinId;
  return pair;
}

function children(ctx: HouseholdContext, slots: number, headAge: number): Person[] {
  const out: Person[] = [];
  const oldest = Math.max(0, Math.min(headAge - 17, 30));
  while (out.length < slots) {
    const age = ctx.rng.between(0, oldest);
    if (slots - out.length >= 2 && ctx.rng.chance(TWIN_RATE)) out.push(...twins(ctx, age));
    else out.push(person(ctx, ctx.rng.chance(0.5) ? 'male' : 'female', age, childFamily(ctx)));
  }
  return out;
}

function spouseFamily(ctx: HouseholdContext): string {
  const keepsOwn = ctx.country === 'SN' ? 0.75 : 0.5;
  return ctx.rng.chance(keepsOwn) ? draw[ctx.country].family.draw(ctx.rng) : ctx.family;
}

/**
 * Generate one household.
 * @param rng - the generator
 * @param country - SN or UG
 * @param ids - id counters (persons, households, twin sets)
 * @returns its members
 */
export function household(rng: Rng, country: Country, ids: { person: () => string; household: () => string; twin: () => string }): Person[] {
  const [city, region] = draw[country].place.draw(rng);
  const ctx: HouseholdContext = {
    rng, country, id: ids.household(), family: draw[country].family.draw(rng), phone: mobile(rng, country), city, region,
    address: addressOf(rng, country), usedGiven: new Set(), nextPerson: ids.person, nextTwin: ids.twin,
  };
  const size = rng.weighted(HOUSEHOLD_SIZES);
  const headSex: Sex = rng.chance(0.85) ? 'male' : 'female';
  const headAge = rng.between(22, 75);
  const head = person(ctx, headSex, headAge, ctx.family);
  head.phone ??= ctx.phone;
  const members = [head];
  if (size >= 2 && rng.chance(0.85)) members.push(person(ctx, headSex === 'male' ? 'female' : 'male', Math.max(18, headAge + rng.between(-15, 3)), spouseFamily(ctx)));
  if (size - members.length >= 2 && headAge < 55 && rng.chance(0.15)) {
    const sex: Sex = rng.chance(0.6) ? 'female' : 'male';
    members.push(person(ctx, sex, Math.min(95, headAge + rng.between(20, 30)), sex === 'male' ? ctx.family : draw[country].family.draw(rng)));
  }
  members.push(...children(ctx, size - members.length, headAge));
  return members;
}
