/**
 * Records with little in them (issue "Matching a ministry can trust", item 6), through the registry:
 * a generated population where half the records lack a birth date, a phone or both is registered
 * with a model trained on it without labels; then each person is presented again with only a name
 * and a birth year, or only a name and a place (their true name: a namesake is as close as can be).
 *  - such a record never links automatically to a golden record that holds none of its person's
 *    records (it does not pull two people together);
 *  - it finds its person — an automatic link to the person's golden record, or a review task
 *    naming it — in most cases.
 * Recall and false merges of whole registrations are measured by `eval:linkage` on
 * `npm run gen -- --sparse 0.5`.
 */
import type { Patient } from 'fhir/r4';
import { mapRows } from '../../../../bench/linkage/registry-ingest';
import type { RecordValues } from '../../../../bench/population/corrupt';
import type { Person } from '../../../../bench/population/people';
import { generatePopulation } from '../../../../bench/population/population';
import { createMatchingEngine, trainModel } from '../../../../src/registry/matching';
import { buildRegistryModule } from '../../../../src/registry-module';
import type { RegistryModule } from '../../../../src/registry-module';
import { testConfig } from '../../../helpers/app';
import { rowOf } from '../../../helpers/generated-records';
import { memoryLogger } from '../../../helpers/silent-logger';

const population = generatePopulation({ persons: 2000, dupRate: 0.3, seed: 33, sparse: 0.5 });
const actor = { clientId: 'sparse-records' };

type Probe = 'name and year' | 'name and place';
const PROBES: ReadonlyArray<readonly [Probe, (p: Person) => RecordValues]> = [
  ['name and year', (p) => ({ given: p.given, family: p.family, birthDate: String(p.birth.year) })],
  ['name and place', (p) => ({ given: p.given, family: p.family, city: p.city })],
];

interface Outcomes { linked: number; review: number; created: number; found: number; falseLinks: string[] }

/** The population registered (record keys by person), with a model trained on it. */
async function registeredPopulation(): Promise<{ registry: RegistryModule; keysOf: Map<string, string[]> }> {
  const config = testConfig({ DEFAULT_PHONE_COUNTRY: 'SN' });
  const registry = buildRegistryModule({ config, logger: memoryLogger().logger, db: null });
  const patients = await mapRows(population.records.map((r) => rowOf(r, r.recordId)));
  const engine = createMatchingEngine({ defaultCountry: 'SN' });
  await registry.service.saveModel(trainModel(patients.map((p) => engine.extractFeatures(p)), { seed: 3, now: '2026-06-01T00:00:00.000Z' }), true);
  const keysOf = new Map<string, string[]>();
  for (let at = 0; at < patients.length; at += 500) {
    const page = patients.slice(at, at + 500).map((patient) => ({ patient, sourceSystem: 'gen', actor }));
    const results = await registry.service.registerMany(page);
    results.forEach((r, j) => {
      if (!r.ok) throw new Error(r.error.message);
      const person = population.records[at + j]!.entityId;
      keysOf.set(person, [...(keysOf.get(person) ?? []), r.result.source.key]);
    });
  }
  return { registry, keysOf };
}

/** Register each person's probe (its own source system), see where it went, then deactivate it. */
async function probe(make: (p: Person) => RecordValues): Promise<Outcomes> {
  const { registry, keysOf } = await registeredPopulation();
  const patients: Patient[] = await mapRows(population.persons.map((p) => ({ ...rowOf(make(p), `probe-${p.id}`), source: 'probe' })));
  const out: Outcomes = { linked: 0, review: 0, created: 0, found: 0, falseLinks: [] };
  for (const [i, person] of population.persons.entries()) {
    const res = await registry.service.registerSource({ patient: patients[i]!, sourceSystem: 'probe', actor });
    const own = new Set((await registry.service.getSources(keysOf.get(person.id) ?? [])).map((s) => s.goldenId));
    if (res.outcome === 'linked') out.linked++;
    else if (res.outcome === 'review') out.review++;
    else out.created++;
    if (res.outcome === 'linked' && !own.has(res.golden.mpiId)) out.falseLinks.push(`${person.id} (${person.given} ${person.family}) -> ${res.golden.mpiId}`);
    const task = res.reviewTaskId ? await registry.service.getReview(res.reviewTaskId) : null;
    if ((res.outcome === 'linked' && own.has(res.golden.mpiId)) || task?.candidates.some((c) => own.has(c.mpiId))) out.found++;
    // Each probe meets the population only: two namesakes of one town make identical probes.
    await registry.service.deactivateSource(res.source.key, actor);
  }
  await registry.close();
  return out;
}

describe.each(PROBES)('a record holding only a %s', (_kind, make) => {
  let outcomes: Outcomes;
  beforeAll(async () => {
    outcomes = await probe(make);
  }, 300000);

  it('never links automatically to a golden record holding none of its person\'s records', () => {
    expect(outcomes.linked + outcomes.review + outcomes.created).toBe(population.persons.length);
    expect(outcomes.falseLinks).toEqual([]);
  });

  it('finds its person (automatic link or review task) in most cases', () => {
    expect(outcomes.found / population.persons.length).toBeGreaterThan(0.6);
  });
});
