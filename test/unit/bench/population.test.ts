/**
 * The population generator: reproducible from its seed, households and twins as the evaluation
 * counts them, identifiers as the matcher must learn them, and payloads shaped as DHIS2, OpenMRS and
 * FHIR publish them (reference/source-systems.md).
 */
import { checkDigitBit, checkDigitMask } from '../../../src/registry/matching/check-digits';
import { main, parseGenArgs } from '../../../bench/gen-population';
import { writeRecords, writeTruth } from '../../../bench/population/formats';
import { generatePopulation } from '../../../bench/population/population';
import type { GeneratedRecord } from '../../../bench/population/population';
import { createRng, zipf } from '../../../bench/population/random';
import { parseCsv } from '../../../bench/linkage/datasets';

const small = generatePopulation({ persons: 1500, dupRate: 0.3, seed: 5 });

function text(format: Parameters<typeof writeRecords>[0], records: GeneratedRecord[]): string {
  let out = '';
  writeRecords(format, records, (t) => (out += t));
  return out;
}

describe('the random source', () => {
  it('is reproducible and well spread; Zipf draws favour the first names', () => {
    const a = createRng(1);
    const b = createRng(1);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(new Set(xs).size).toBe(1000);
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / 1000 - 0.5)).toBeLessThan(0.05);
    const z = zipf(['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'], 1);
    const rng = createRng(2);
    const counts = new Map<string, number>();
    for (let i = 0; i < 5000; i++) { const v = z.draw(rng); counts.set(v, (counts.get(v) ?? 0) + 1); }
    expect(counts.get('A')!).toBeGreaterThan(3 * counts.get('H')!);
  });
});

describe('generatePopulation', () => {
  it('is reproducible from the seed and differs across seeds', () => {
    expect(generatePopulation({ persons: 300, dupRate: 0.3, seed: 5 })).toEqual(generatePopulation({ persons: 300, dupRate: 0.3, seed: 5 }));
    expect(generatePopulation({ persons: 300, dupRate: 0.3, seed: 6 }).records[0]).not.toEqual(generatePopulation({ persons: 300, dupRate: 0.3, seed: 5 }).records[0]);
  });

  it('makes the requested persons and share of duplicate records, no two records alike', () => {
    expect(small.persons).toHaveLength(1500);
    expect(small.records.length).toBe(Math.round(1500 / 0.7));
    const rows = new Set(small.records.map((r) => JSON.stringify({ ...r, recordId: '' })));
    expect(rows.size).toBeGreaterThan(small.records.length * 0.97);
    expect(new Set(small.records.map((r) => r.recordId)).size).toBe(small.records.length);
  });

  it('builds households of 1-8 sharing a place and an address; twins share a household and a birth date', () => {
    const households = new Map<string, typeof small.persons>();
    for (const p of small.persons) households.set(p.household, [...(households.get(p.household) ?? []), p]);
    for (const members of households.values()) {
      expect(members.length).toBeLessThanOrEqual(8);
      expect(new Set(members.map((m) => `${m.city}|${m.address}|${m.householdPhone}`)).size).toBe(1);
    }
    const twins = new Map<string, typeof small.persons>();
    for (const p of small.persons) if (p.twin) twins.set(p.twin, [...(twins.get(p.twin) ?? []), p]);
    expect(twins.size).toBeGreaterThan(10);
    for (const [a, b] of twins.values()) {
      expect(a!.household).toBe(b!.household);
      expect(a!.birth).toEqual(b!.birth);
      expect(a!.given).not.toBe(b!.given);
    }
    expect([...twins.values()].some(([a, b]) => a!.sex !== b!.sex)).toBe(true);
  });

  it('gives adults a national ID with a Verhoeff check digit and some persons a hand-typed programme number', () => {
    const ids = small.persons.flatMap((p) => (p.nationalId ? [p.nationalId] : []));
    expect(ids.length).toBeGreaterThan(300);
    for (const id of ids) expect(checkDigitMask(id) & checkDigitBit('verhoeff')).not.toBe(0);
    expect(small.persons.some((p) => p.programmeNumber)).toBe(true);
    const typed = small.records.filter((r) => r.nationalId && (checkDigitMask(r.nationalId) & checkDigitBit('verhoeff')) === 0);
    expect(typed.length).toBeGreaterThan(0);
  });

  it('writes Senegalese compound names and honorifics, estimated dates and swapped Ugandan names', () => {
    expect(small.records.some((r) => /^(Ndeye|Mame|Pape|El Hadji|Serigne|Sokhna) /i.test(r.given ?? ''))).toBe(true);
    expect(small.records.some((r) => /^\d{4}(-01-01)?$/.test(r.birthDate ?? '') && r.birthDateEstimated)).toBe(true);
    const ug = small.persons.filter((p) => p.country === 'UG').map((p) => p.family.toUpperCase());
    expect(small.records.some((r) => r.country === 'UG' && ug.includes((r.given ?? '').toUpperCase()))).toBe(true);
  });

  it('--sparse drops the birth date, the phone or both from about that share of records', () => {
    const sparse = generatePopulation({ persons: 1500, dupRate: 0.3, seed: 5, sparse: 0.5 });
    const lacking = sparse.records.filter((r) => !r.birthDate || !r.phone).length / sparse.records.length;
    const before = small.records.filter((r) => !r.birthDate || !r.phone).length / small.records.length;
    expect(lacking - before).toBeGreaterThan(0.3);
  });
});

describe('output formats', () => {
  const records = small.records.slice(0, 40);

  it('generic: the contracts.md §4 columns with the truth and the household and twin relations', () => {
    const [header, ...rows] = parseCsv(text('generic', records));
    expect(header).toEqual(['record_id', 'entity_id', 'source', 'given_name', 'family_name', 'birth_date', 'gender', 'phone', 'national_id', 'other_id', 'city', 'state', 'address_line', 'household_id', 'twin_id']);
    expect(rows).toHaveLength(40);
    expect(rows[0]![0]).toBe(records[0]!.recordId);
  });

  it('dhis2: a 2.41+ tracked-entity page with the Sierra Leone Person attributes', () => {
    const page = JSON.parse(text('dhis2', records)) as { pager: { page: number; pageSize: number }; trackedEntities: Array<{ trackedEntity: string; trackedEntityType: string; orgUnit: string; attributes: Array<{ attribute: string; value: string; valueType: string }> }> };
    expect(page.pager).toMatchObject({ page: 1, pageSize: 40 });
    for (const te of page.trackedEntities) {
      expect(te.trackedEntityType).toBe('nEenWmSyUEp');
      expect(te.orgUnit).toMatch(/^[A-Za-z][A-Za-z0-9]{10}$/);
      for (const a of te.attributes) expect(typeof a.value).toBe('string');
      const gender = te.attributes.find((a) => a.attribute === 'cejWyOfXge6');
      if (gender) expect(['Male', 'Female']).toContain(gender.value);
    }
    const dhis2 = records.filter((r) => r.source === 'dhis2');
    expect(page.trackedEntities.filter((t) => /^[A-Za-z][A-Za-z0-9]{10}$/.test(t.trackedEntity)).length).toBeGreaterThanOrEqual(dhis2.length);
    expect(page.trackedEntities[0]!.attributes.find((a) => a.attribute === 'w75KJ2mc4zz')?.value).toBe(records[0]!.given);
  });

  it('openmrs: a REST v1 patient page (identifiers with types, person with M/F and a date-time birthdate)', () => {
    const page = JSON.parse(text('openmrs', records)) as { results: Array<{ uuid: string; identifiers: Array<{ identifier: string; identifierType: { uuid: string; display: string }; preferred: boolean }>; person: { gender: string; birthdate: string | null; birthdateEstimated: boolean; preferredName: { givenName: string | null; familyName: string | null } } }> };
    expect(page.results).toHaveLength(40);
    for (const p of page.results) {
      expect(p.uuid).toMatch(/^[0-9a-f-]{36}$/);
      expect(p.identifiers.find((i) => i.preferred)?.identifierType.uuid).toBe('05a29f94-c0ed-11e2-94be-8c13b969e334');
      expect(['M', 'F', 'U']).toContain(p.person.gender);
      if (p.person.birthdate) expect(p.person.birthdate).toMatch(/^\d{4}-\d{2}-\d{2}T00:00:00\.000\+0000$/);
    }
  });

  it('fhir: a batch Bundle of conditional updates (ITI-104), one Patient per record', () => {
    const bundle = JSON.parse(text('fhir', records)) as { resourceType: string; type: string; entry: Array<{ resource: { resourceType: string; identifier: Array<{ system: string; value: string }> }; request: { method: string; url: string } }> };
    expect([bundle.resourceType, bundle.type]).toEqual(['Bundle', 'batch']);
    for (const e of bundle.entry) {
      expect(e.resource.resourceType).toBe('Patient');
      expect(e.request.method).toBe('PUT');
      expect(decodeURIComponent(e.request.url)).toBe(`Patient?identifier=${e.resource.identifier[0]!.system}|${e.resource.identifier[0]!.value}`);
    }
  });

  it('the truth of a payload names each record key with its person, household and twin set', () => {
    let out = '';
    writeTruth(records, (t) => (out += t));
    const [header, first] = parseCsv(out);
    expect(header).toEqual(['record_id', 'entity_id', 'source', 'household_id', 'twin_id']);
    expect(first!.slice(0, 2)).toEqual([records[0]!.recordId, records[0]!.entityId]);
  });
});

describe('the command line', () => {
  it.each([
    [[]],
    [['--persons', '10', '--dup-rate', '1', '--seed', '1']],
    [['--persons', '10', '--dup-rate', '0.3', '--seed', '1', '--format', 'csv']],
    [['--persons', 'x', '--dup-rate', '0.3', '--seed', '1']],
    [['--persons', '10', '--dup-rate', '0.3', '--seed', '1', '--country', 'FR']],
  ])('rejects %j with exit code 2', (argv) => {
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(main(argv)).toBe(2);
    expect(String(spy.mock.calls[0]?.[0])).toMatch(/usage: gen/);
    spy.mockRestore();
  });

  it('parses the options', () => {
    expect(parseGenArgs(['--persons', '100', '--dup-rate', '0.3', '--seed', '7', '--format', 'dhis2', '--sparse', '0.5'])).toMatchObject({ persons: 100, dupRate: 0.3, seed: 7, format: 'dhis2', sparse: 0.5, country: 'mixed' });
  });
});
