import type { Patient } from 'fhir/r4';
import {
  blockingKeys, compare, decide, defaultModel, extractFeatures, matchRulesSchema, mulberry32, trainModel,
} from '../../../../src/registry/matching';
import type { MatchFeatures, MatchResult } from '../../../../src/registry/matching';

const TODAY = '2026-11-23';
const GIVEN = ['JOHN', 'MARY', 'AMINA', 'MOSES', 'GRACE', 'PETER', 'SARAH', 'JOSEPH', 'FATOU', 'DAVID'];
const FAMILY = ['SMITH', 'NAKATO', 'OKELLO', 'DIALLO', 'MUKASA', 'BROWN', 'NDIAYE', 'OTIENO', 'BANDA', 'PHIRI'];

function pick<T>(rand: () => number, list: T[]): T {
  return list[Math.floor(rand() * list.length)] as T;
}

function randomPatient(rand: () => number): Patient {
  const maybe = <T>(v: T): T | undefined => (rand() < 0.2 ? undefined : v);
  const y = 1930 + Math.floor(rand() * 90);
  const m = 1 + Math.floor(rand() * 12);
  const d = 1 + Math.floor(rand() * 28);
  return {
    resourceType: 'Patient',
    name: [{ family: maybe(pick(rand, FAMILY)), given: maybe([pick(rand, GIVEN)]) }],
    gender: maybe(rand() < 0.5 ? 'male' : 'female'),
    birthDate: maybe(`${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
    telecom: rand() < 0.5 ? [{ system: 'phone', value: `07${Math.floor(rand() * 1e8)}` }] : [],
    identifier: rand() < 0.5 ? [{ system: 'urn:nin', value: String(Math.floor(rand() * 1e6)) }] : [],
    address: [{ postalCode: maybe(String(1000 + Math.floor(rand() * 20))) }],
  };
}

const features = (p: Patient): MatchFeatures => extractFeatures(p, { defaultCountry: 'UG', today: TODAY });
const model = defaultModel();

describe('compare', () => {
  const john: Patient = {
    resourceType: 'Patient', name: [{ family: 'Smith', given: ['John'] }], gender: 'male', birthDate: '1980-05-12',
    identifier: [{ system: 'urn:nin', value: 'A1' }],
  };

  test('an identical record scores high and agrees on the identifier', () => {
    const r = compare(features(john), features(john), model);
    expect(r.probability).toBeGreaterThan(0.999);
    expect(r.identifierRule).toBe('same');
    expect(r.fields.find((f) => f.field === 'given')?.level).toBe('exact');
    expect(r.fields.find((f) => f.field === 'phone')).toEqual({ field: 'phone', level: 'null', weight: 0 });
  });

  test.each([
    ['CM1234567', 'same'],
    ['CM9999999', 'conflict'],
    ['CM1234568', 'none'],
  ])('national id CM1234567 vs %s → %s (a one-character typo is left to the score)', (value, rule) => {
    const a = features({ ...john, identifier: [{ system: 'urn:nin', value: 'CM1234567' }] });
    const b = features({ ...john, identifier: [{ system: 'urn:nin', value }] });
    expect(compare(a, b, model).identifierRule).toBe(rule);
  });

  test('a source-local key never conflicts', () => {
    const a = features({ ...john, identifier: [{ system: 'urn:clinic', value: '1' }] });
    const b = features({ ...john, identifier: [{ system: 'urn:clinic', value: '2' }] });
    expect(compare(a, b, model).identifierRule).toBe('none');
  });

  test('swapped given and family names still agree', () => {
    const swapped = features({ ...john, name: [{ family: 'John', given: ['Smith'] }] });
    const r = compare(features(john), swapped, model);
    expect(r.fields.find((f) => f.field === 'family')?.level).toBe('exact');
  });

  test('a misspelt common name never weighs more than the name written right (term frequencies)', () => {
    const common = { ...model, termFrequencies: { given: { AMINATA: 0.04 }, family: { NDIAYE: 0.08 }, _meta: { minimum: 1e-5 } } };
    const aminata = (family: string, given = 'Aminata'): MatchFeatures => features({ resourceType: 'Patient', name: [{ family, given: [given] }], birthDate: '1990-02-03' });
    const weightOf = (r: MatchResult, field: string): number => r.fields.find((f) => f.field === field)?.weight ?? NaN;
    const exact = compare(aminata('Ndiaye'), aminata('Ndiaye'), common);
    for (const typo of ['Ndiaie', 'Ndiay', 'Ndyaye']) {
      const near = compare(aminata('Ndiaye'), aminata(typo), common);
      expect(near.fields.find((f) => f.field === 'family')?.level).not.toBe('exact');
      expect(weightOf(near, 'family')).toBeLessThanOrEqual(weightOf(exact, 'family') + 1e-9);
      expect(near.weight).toBeLessThanOrEqual(exact.weight + 1e-9);
    }
    const near = compare(aminata('Ndiaye', 'Aminatta'), aminata('Ndiaye'), common);
    expect(weightOf(near, 'given')).toBeLessThanOrEqual(weightOf(exact, 'given') + 1e-9);
    // A rare name keeps its near-agreement weight: the cap binds only where the name is common.
    const rare = compare(aminata('Sagna'), aminata('Sagnaa'), common);
    expect(weightOf(rare, 'family')).toBeCloseTo(weightOf(compare(aminata('Sagna'), aminata('Sagnaa'), model), 'family'), 9);
  });

  test('property: compare is symmetric', () => {
    const rand = mulberry32(7);
    for (let i = 0; i < 500; i++) {
      const a = features(randomPatient(rand));
      const b = features(randomPatient(rand));
      const ab = compare(a, b, model);
      const ba = compare(b, a, model);
      expect(ba.weight).toBeCloseTo(ab.weight, 9);
      expect(ba.identifierRule).toBe(ab.identifierRule);
    }
  });

  test('property: an agreeing field never lowers the score vs the same field null', () => {
    const rand = mulberry32(11);
    for (let i = 0; i < 300; i++) {
      const a = randomPatient(rand);
      const b = randomPatient(rand);
      const withField = { ...b, birthDate: a.birthDate ?? '1970-03-04', name: a.name };
      const base = { ...b, birthDate: undefined, name: [{}] };
      const fa = features({ ...a, birthDate: withField.birthDate });
      expect(compare(fa, features(withField), model).weight).toBeGreaterThanOrEqual(compare(fa, features(base), model).weight);
    }
  });
});

describe('decide', () => {
  const result = (probability: number, weight: number, rule: MatchResult['identifierRule'] = 'none', agreeing = 4): MatchResult => ({
    probability,
    weight,
    identifierRule: rule,
    fields: ['given', 'family', 'birthDate', 'postcode', 'phone'].map((field, i) => ({ field, level: i < agreeing ? 'exact' : 'null', weight: i < agreeing ? 8 : 0 })),
  });

  test.each([
    ['no candidate', undefined, undefined, 'new'],
    ['low', result(0.1, -3), undefined, 'new'],
    ['between', result(0.8, 2), undefined, 'review'],
    ['high', result(0.999, 10), undefined, 'auto-link'],
    ['high but conflict', result(0.99999, 20, 'conflict'), undefined, 'review'],
    ['high, one field', result(0.999, 10, 'none', 1), undefined, 'review'],
    ['runner-up close', result(0.999, 10), result(0.998, 9), 'review'],
    ['runner-up far', result(0.99999, 20), result(0.99, 7), 'auto-link'],
    ['same id, medium', result(0.7, 1, 'same'), undefined, 'auto-link'],
    ['same id, below lower threshold (same system|value = same person)', result(0.2, -2, 'same'), undefined, 'auto-link'],
    ['shared identifier (cross-reference), medium', result(0.7, 1), undefined, 'auto-link', true],
    ['high, but the model says it could be twins', { ...result(0.999, 10), twinProbability: 0.02 }, undefined, 'review'],
    ['high, twins ruled out', { ...result(0.999, 10), twinProbability: 0.0001 }, undefined, 'auto-link'],
    ['high, conflict in a system learned unreliable', { ...result(0.9999, 14, 'conflict'), conflictSystems: ['urn:art'], unreliableSystems: ['urn:art'] }, undefined, 'auto-link'],
    ['high, conflict in a system learned reliable', { ...result(0.9999, 14, 'conflict'), conflictSystems: ['urn:nin'] }, undefined, 'review'],
    ['same value in a system learned reliable, low', { ...result(0.2, -2, 'same'), sameSystems: ['urn:nin'] }, undefined, 'auto-link'],
    ['same value in a system learned unreliable, low (a hand-typed number two people can share)', { ...result(0.2, -2, 'same'), sameSystems: ['urn:art'], unreliableSystems: ['urn:art'] }, undefined, 'new'],
    ['same value in a system learned unreliable, between', { ...result(0.8, 2, 'same'), sameSystems: ['urn:art'], unreliableSystems: ['urn:art'] }, undefined, 'review'],
    ['same value in an unreliable and a reliable system', { ...result(0.2, -2, 'same'), sameSystems: ['urn:art', 'urn:nin'], unreliableSystems: ['urn:art'] }, undefined, 'auto-link'],
    ['same source-local key (no system named)', { ...result(0.2, -2, 'same'), sameSystems: [] }, undefined, 'auto-link'],
  ])('%s → %s', (_name, best, runner, expected, sharesIdentifier = false) => {
    expect(decide({ best, runnerUp: runner, sharesIdentifier }).outcome).toBe(expected);
  });

  test('property: a disagreeing identifier in the same system never auto-links', () => {
    const rand = mulberry32(3);
    for (let i = 0; i < 200; i++) {
      // Even an otherwise identical record (the strongest possible score) must not auto-link.
      const a = features(randomPatient(rand));
      const fa = { ...a, nationalIds: ['urn:nin|CM0000001'] };
      const fb = { ...a, nationalIds: ['urn:nin|XX9999999'] };
      expect(decide({ best: compare(fa, fb, model) }).outcome).not.toBe('auto-link');
    }
  });

  test('rules schema validates and defaults', () => {
    expect(matchRulesSchema.parse({}).upperThreshold).toBe(0.95);
    expect(() => matchRulesSchema.parse({ upperThreshold: 0.3, lowerThreshold: 0.5 })).toThrow();
  });
});

describe('blockingKeys', () => {
  test('identifier, phone, date, swapped date and name keys', () => {
    const f = features({
      resourceType: 'Patient', name: [{ family: 'Smith', given: ['John'] }], birthDate: '1980-05-12',
      telecom: [{ system: 'phone', value: '0772 123456' }], identifier: [{ system: 'urn:nin', value: 'A1' }],
    });
    expect(blockingKeys(f).sort()).toEqual([
      'dob:19800512', 'dob:19801205', 'fy:SM0:1980', 'gy:JN:1980', 'id:urn:nin|A1', 'nm:JN+SM0', 'np:JOH:1980',
      'np:SMI:1980', 'ph:+256772123456',
    ]);
  });

  test('swapped names share the name key; estimated dates use a stricter year key', () => {
    const a = features({ resourceType: 'Patient', name: [{ family: 'Smith', given: ['John'] }], birthDate: '1980-01-01' });
    const b = features({ resourceType: 'Patient', name: [{ family: 'John', given: ['Smith'] }], birthDate: '1980' });
    expect(blockingKeys(a)).toContain('nm:JN+SM0');
    expect(blockingKeys(b)).toContain('nm:JN+SM0');
    expect(blockingKeys(a)).toContain('ey:1980:JN+SM0');
    expect(blockingKeys(a).some((k) => k.startsWith('dob:'))).toBe(false);
    expect(blockingKeys(a).some((k) => k.startsWith('np:'))).toBe(false);
  });

  test('address keys: distinctive street words with house number and postcode, street types ignored', () => {
    const a = features({
      resourceType: 'Patient', name: [{ family: 'Smith', given: ['John'] }],
      address: [{ line: ['7 Wallaby Place', 'Delmar'], postalCode: '2119' }],
    });
    const b = features({
      resourceType: 'Patient', name: [{ family: 'Xyz', given: ['Qrs'] }],
      address: [{ line: ['7 WallabyPlace'], postalCode: '2118' }],
    });
    expect(blockingKeys(a)).toEqual(expect.arrayContaining(['ah:WALLABY:7', 'ap:WALLABY:2119', 'ah:DELMAR:7', 'ap:DELMAR:2119']));
    expect(blockingKeys(a).some((k) => k.includes('PLACE'))).toBe(false);
    expect(blockingKeys(b)).toContain('ah:WALLABY:7');
  });

  test('an empty record has no keys', () => {
    expect(blockingKeys(features({ resourceType: 'Patient' }))).toEqual([]);
  });
});

describe('trainModel', () => {
  const rand = mulberry32(5);
  const data = Array.from({ length: 400 }, () => randomPatient(rand)).flatMap((p, i) => (i % 4 === 0 ? [p, p] : [p])).map(features);

  test('is reproducible with a seed', () => {
    const a = trainModel(data, { seed: 9, now: TODAY });
    const b = trainModel(data, { seed: 9, now: TODAY });
    expect(a).toEqual(b);
    expect(a.version).toMatch(/^fs-/);
    expect(a.trainedBy).toMatchObject({ method: 'em', seed: 9 });
  });

  test('learns that exact agreement is evidence of a match', () => {
    const m = trainModel(data, { seed: 1, now: TODAY });
    const dob = m.fields.birthDate;
    expect(dob).toBeDefined();
    expect((dob?.m[1] ?? 0) / (dob?.u[1] ?? 1)).toBeGreaterThan(10);
    expect(m.lambda).toBeGreaterThan(0);
  });
});
