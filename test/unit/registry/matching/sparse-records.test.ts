/**
 * Records with little in them (issue "Matching a ministry can trust", item 6), on a generated
 * population where half the records lack a birth date, a phone or both, with a model trained on
 * that population without labels. Probes carry only a name and a birth year, or a name and a place:
 *  - they never auto-link to a record of another person, even one carrying exactly the same name;
 *  - they still find their own person (an automatic link, or a review task for a steward) in most cases.
 * Recall and false merges of whole registrations are measured by `eval:linkage` on `npm run gen -- --sparse 0.5`.
 */
import type { RecordValues } from '../../../../bench/population/corrupt';
import type { Person } from '../../../../bench/population/people';
import { generatePopulation } from '../../../../bench/population/population';
import { compare, createMatchingEngine, decide, trainModel } from '../../../../src/registry/matching';
import type { MatchFeatures, MatchModel } from '../../../../src/registry/matching';
import { featuresOf, rowOf } from '../../../helpers/generated-records';

const engine = createMatchingEngine({ defaultCountry: 'SN', today: '2026-06-01' });
const population = generatePopulation({ persons: 4000, dupRate: 0.3, seed: 33, sparse: 0.5 });

let model: MatchModel;
let records: MatchFeatures[];

beforeAll(async () => {
  records = await featuresOf(population.records.map((r) => rowOf(r, r.recordId)), engine);
  model = trainModel(records, { seed: 3, now: '2026-06-01T00:00:00.000Z' });
}, 300000);

type Probe = 'name and year' | 'name and place';
const PROBES: ReadonlyArray<readonly [Probe, (p: Person) => RecordValues]> = [
  ['name and year', (p) => ({ given: p.given, family: p.family, birthDate: String(p.birth.year) })],
  ['name and place', (p) => ({ given: p.given, family: p.family, city: p.city })],
];

interface Outcomes { own: Record<string, number>; other: Record<string, number>; falseLinks: string[] }

/** Each probe of each person against every record of every person carrying the same name (themselves included). */
async function probeNamesakes(kind: Probe, make: (p: Person) => RecordValues): Promise<Outcomes> {
  const byName = new Map<string, Person[]>();
  for (const p of population.persons) byName.set(`${p.given}|${p.family}`, [...(byName.get(`${p.given}|${p.family}`) ?? []), p]);
  const recordsOf = new Map<string, number[]>();
  population.records.forEach((r, i) => recordsOf.set(r.entityId, [...(recordsOf.get(r.entityId) ?? []), i]));
  const probes = await featuresOf(population.persons.map((p) => rowOf(make(p), p.id)), engine);
  const out: Outcomes = { own: {}, other: {}, falseLinks: [] };
  population.persons.forEach((p, k) => {
    for (const q of byName.get(`${p.given}|${p.family}`) ?? []) {
      for (const i of recordsOf.get(q.id) ?? []) {
        const outcome = decide({ best: compare(probes[k]!, records[i]!, model) }).outcome;
        const tally = q === p ? out.own : out.other;
        tally[outcome] = (tally[outcome] ?? 0) + 1;
        if (q !== p && outcome === 'auto-link') out.falseLinks.push(`${kind}: ${p.id} ~ ${q.id} (${p.given} ${p.family})`);
      }
    }
  });
  return out;
}

describe.each(PROBES)('a record holding only a %s', (kind, make) => {
  let outcomes: Outcomes;
  beforeAll(async () => {
    outcomes = await probeNamesakes(kind, make);
  }, 120000);

  it('never auto-links to a record of another person, even one of exactly the same name', () => {
    expect(Object.values(outcomes.other).reduce((s, n) => s + n, 0)).toBeGreaterThan(1000);
    expect(outcomes.falseLinks).toEqual([]);
  });

  it("finds its own person's records (auto-link or review) in most cases", () => {
    const total = Object.values(outcomes.own).reduce((s, n) => s + n, 0);
    const found = (outcomes.own['auto-link'] ?? 0) + (outcomes.own.review ?? 0);
    expect(found / total).toBeGreaterThan(0.6);
  });
});
