/**
 * The kinds of pair a registry meets, as latent classes for EM (em.ts), and the structure each
 * class is given — where EM starts it and which of its fields are tied to another class:
 *  - the same person (m);
 *  - two members of one household (h): a family name passed to the children, one phone; one
 *    address and one place, which their records give as often as one person's records do (tied to
 *    m); given names and person identifiers unrelated; birth dates apart (at most 5 % of household
 *    pairs share one, since only twins do and twin births are 2–4 % of births);
 *  - twins (t): household members born together — identifiers as strangers'; given names the same
 *    or near-same as rarely as strangers' (twins are never given one name) but, when different,
 *    related as the data shows and at least as often as strangers' (Assane and Ousseynou, Adama and
 *    Awa are names given as a pair); every other field but sex as two records of one person (twins
 *    are children of one household, recorded at one address under one phone, born on one date); of
 *    one sex 60 % of the time (dizygotic pairs half the time, monozygotic always). Their share is
 *    learned above a floor of 0.5 % of the household pairs: pairs of opposite sex that agree on
 *    everything but the given name are what reveal twins, and where the data carries no sex, or
 *    twins' names sound alike, EM alone cannot find them;
 *  - two unrelated people, as blocking selected them: EM starts this class from the blocked pairs'
 *    own level frequencies, since blocking made them agree on names and dates far more often than
 *    random pairs do (started from random pairs, the match class drifts to "pairs with the same
 *    name" once blocks grow). Scoring uses u from random pairs.
 * Within a class fields are independent; the dependence between the fields a household shares is
 * carried by the classes. So the agreeing family name, phone and address of two household members
 * count once, and "same birth date, same household, different given name" reads as twins.
 */
import { FIELDS, FIELD_LEVELS } from './comparators';
import type { FieldName } from './comparators';
import type { MatchModel } from './contract';
import { tieLevels } from './em';
import type { EmConstraints, EmParams, PatternTable } from './em';

export const MATCH = 0;
export const HOUSEHOLD = 1;
export const TWINS = 2;

const field = (name: FieldName): number => FIELDS.indexOf(name);
/** Fields whose values relate as strangers' do in the household and twin classes. */
const AS_STRANGERS: readonly FieldName[] = ['given', 'nationalId', 'otherId', 'email'];
/** Given-name levels that say "the same name" (exact, typo, alias): as rare for twins as for strangers. */
const SAME_NAME = ['exact', 'jw>=0.92', 'alias', 'jw>=0.88'].map((l) => FIELD_LEVELS.given.indexOf(l));
/**
 * Given-name levels of two different but related names (Assane and Ousseynou sound alike): twins'
 * names relate so at least as often as strangers' do, since parents choose them together. Without
 * this floor EM can empty these levels of a class as small as the twins', and a pair of twins with
 * names that sound alike would then read as one person.
 */
const RELATED_NAME = ['phonetic', 'jw>=0.70'].map((l) => FIELD_LEVELS.given.indexOf(l));
const OTHER_NAME = [FIELD_LEVELS.given.indexOf('else')];
/** Fields twins' records compare on as two records of one person's do. */
const AS_ONE_PERSON: readonly FieldName[] = ['family', 'birthDate', 'phone', 'postcode', 'city', 'state', 'address'];
/**
 * Fields household members' records compare on as two records of one person's do: they live in one
 * dwelling, so their addresses and places agree as often as one person's records do. Learned
 * freely, the household class grows into "same family name, same town" and takes in namesakes of
 * one town who live apart, which dilutes what a shared phone or address says about a household.
 */
const HOUSEHOLD_AS_ONE_PERSON: readonly FieldName[] = ['postcode', 'city', 'state', 'address'];
/** Where EM starts the twins' given-name comparison (the same-name levels are tied to strangers'). */
const TWIN_NAMES_START: Readonly<Record<string, number>> = { phonetic: 0.15, 'jw>=0.70': 0.15, else: 0.7 };
/** Where EM starts the twins' share of the blocked pairs. */
const TWIN_START = 1e-6;
/**
 * Twins' least share of household pairs. Two to four births in a hundred are twin births in West
 * and East Africa; a household of five children and two parents holds 21 pairs of members and, about
 * one time in eight, a pair of twins: some 0.5 % of its pairs. The data can raise the share, never
 * lower it below that: where the data carries no sex, or twins with names that sound alike, EM
 * cannot find twins on its own, and a twin merge is the costliest error.
 */
const TWIN_SHARE_OF_HOUSEHOLDS = 0.005;
/** Where EM starts the household class (fields not listed start from u; address and place from m). */
const HOUSEHOLD_START: Partial<Record<FieldName, Record<string, number>>> = {
  family: { exact: 0.6, 'jw>=0.92': 0.04, alias: 0.02, 'jw>=0.88': 0.02, phonetic: 0.03, 'jw>=0.70': 0.04, else: 0.25 },
  birthDate: { exact: 0.02, 'swap-day-month': 0.002, edit1: 0.01, 'same-year-month': 0.01, 'same-year': 0.04, 'year±1': 0.06, else: 0.848 },
  gender: { exact: 0.5, else: 0.5 },
  phone: { exact: 0.5, edit1: 0.03, else: 0.47 },
};
const TWIN_SAME_SEX = 0.6;
/** Birth-date levels that say "the same date" (mistyped or not). */
const SAME_DATE = ['exact', 'swap-day-month', 'edit1'].map((l) => FIELD_LEVELS.birthDate.indexOf(l));
const HOUSEHOLD_SAME_DATE_MAX = 0.05;

/**
 * Ties, caps and fixed distributions for EM. "As strangers'" means as random pairs' (u, from random
 * sampling), not as the blocked pairs', which blocking made more alike.
 * @param u - u from random pairs
 * @param anchoredGiven - the match class's given-name distribution from anchor pairs, or null
 */
export function classConstraints(u: number[][], anchoredGiven: number[] | null): EmConstraints {
  const strangers = AS_STRANGERS.map((f) => [field(f), u[field(f)] as number[]] as const);
  return {
    ties: [
      ...strangers.map(([f, levels]) => [HOUSEHOLD, f, levels] as const),
      ...strangers.filter(([f]) => f !== field('given')).map(([f, levels]) => [TWINS, f, levels] as const),
      [TWINS, field('given'), u[field('given')] as number[], SAME_NAME] as const,
      ...AS_ONE_PERSON.map((f) => [TWINS, field(f), MATCH] as const),
      ...HOUSEHOLD_AS_ONE_PERSON.map((f) => [HOUSEHOLD, field(f), MATCH] as const),
    ],
    caps: [[HOUSEHOLD, field('birthDate'), SAME_DATE, HOUSEHOLD_SAME_DATE_MAX]],
    floors: [[TWINS, field('given'), u[field('given')] as number[], RELATED_NAME, OTHER_NAME]],
    shareFloors: [[TWINS, HOUSEHOLD, TWIN_SHARE_OF_HOUSEHOLDS]],
    fixed: [
      [TWINS, field('gender'), [0, TWIN_SAME_SEX, 1 - TWIN_SAME_SEX]],
      ...(anchoredGiven ? [[MATCH, field('given'), anchoredGiven] as const] : []),
    ],
  };
}

function startFrom(u: number[][], table: Partial<Record<FieldName, Record<string, number>>>): number[][] {
  return FIELDS.map((f, i) => {
    const start = table[f];
    return start ? FIELD_LEVELS[f].map((level, l) => (l === 0 ? 0 : start[level] ?? 0.001)) : [...(u[i] as number[])];
  });
}

/**
 * The level frequencies of all blocked pairs, field by field: where EM starts the unrelated class.
 * Almost every blocked pair is two different people, but blocking made them agree on names and
 * dates far more often than random pairs do; starting the unrelated class from random pairs instead
 * lets the match class drift to "pairs with the same name" once blocks are large.
 * @param table - the blocked pairs' patterns
 */
export function blockedMarginals(table: PatternTable): number[][] {
  const counts = FIELDS.map((f) => new Array<number>(FIELD_LEVELS[f].length).fill(0));
  table.levels.forEach((levels, row) => {
    for (let f = 0; f < levels.length; f++) (counts[f] as number[])[levels[f] as number]! += table.counts[row] as number;
  });
  return counts.map((row) => {
    const total = row.reduce((s, x, l) => (l === 0 ? s : s + x + 1), 0);
    return row.map((x, l) => (l === 0 ? 0 : (x + 1) / total));
  });
}

/**
 * EM's starting point: m from the base model (the given name from anchor pairs when there are
 * any), the unrelated class from the blocked pairs' own level frequencies, the household class from
 * how households are made, the twin class from the match class; class shares from the deterministic
 * agreements.
 * @param base - the default model (m)
 * @param u - u from random pairs
 * @param blocked - level frequencies of the blocked pairs (blockedMarginals)
 * @param p - starting share of matches among the blocked pairs
 * @param anchoredGiven - the match class's given-name distribution from anchor pairs, or null
 */
export function initialParams(base: MatchModel, u: number[][], blocked: number[][], p: number, anchoredGiven: number[] | null = null): EmParams {
  const m = FIELDS.map((f) => [...(base.fields[f]?.m ?? [])]);
  if (anchoredGiven) m[field('given')] = [...anchoredGiven];
  const household = startFrom(u, HOUSEHOLD_START);
  for (const f of HOUSEHOLD_AS_ONE_PERSON) household[field(f)] = [...(m[field(f)] as number[])];
  const twins = m.map((row) => [...row]);
  twins[field('gender')] = [0, TWIN_SAME_SEX, 1 - TWIN_SAME_SEX];
  // Names given as a pair often sound alike or share a root: start there and let the data say.
  twins[field('given')] = tieLevels(FIELD_LEVELS.given.map((level) => TWIN_NAMES_START[level] ?? 0), u[field('given')] as number[], SAME_NAME);
  return { theta: [m, household, twins, blocked.map((row) => [...row])], p: [p, 0.3 * (1 - p), TWIN_START, 0.7 * (1 - p) - TWIN_START] };
}

/**
 * The final level probabilities of the household and twin classes: EM's, with fields tied to the
 * unrelated class taking the random-pair u (so they carry no household evidence) and the twins'
 * birth date taking the final m.
 * @param params - EM's result
 * @param u - u from random pairs
 * @param i - field index
 */
export function relatedLevels(params: EmParams, u: number[][], i: number): { h: number[]; t: number[] } {
  const f = FIELDS[i] as FieldName;
  if (f === 'given') return { h: u[i] as number[], t: tieLevels((params.theta[TWINS] as number[][])[i] as number[], u[i] as number[], SAME_NAME) };
  if (AS_STRANGERS.includes(f)) return { h: u[i] as number[], t: u[i] as number[] };
  const h = (params.theta[HOUSEHOLD] as number[][])[i] as number[];
  const t = (params.theta[AS_ONE_PERSON.includes(f) ? MATCH : TWINS] as number[][])[i] as number[];
  return { h, t };
}
