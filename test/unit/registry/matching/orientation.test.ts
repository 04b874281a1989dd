/**
 * Name order learned from the registry's own term-frequency tables (orientation.ts): a record whose
 * given name is mostly seen as a family name, and whose family name mostly as a given name, is
 * compared the other way round; anything else is compared as written.
 */
import { compare, defaultModel, extractFeatures } from '../../../../src/registry/matching';
import type { MatchModel } from '../../../../src/registry/matching';
import { oriented, writtenFamilyFirst } from '../../../../src/registry/matching/orientation';
import { prepare } from '../../../../src/registry/matching/prepare';

const features = (given: string, family: string): ReturnType<typeof extractFeatures> =>
  extractFeatures({ resourceType: 'Patient', name: [{ given: [given], family }], birthDate: '2001-04-05', gender: 'male' }, { defaultCountry: 'UG', today: '2026-06-01' });

/** Term frequencies as a model holds them: OKUMU a family name, PETER and JOSEPH given names. */
const TF = { given: { PETER: 0.02, JOSEPH: 0.02, OKUMU: 0.0001 }, family: { OKUMU: 0.01, PETER: 0.0001, JOSEPH: 0.0001 } };
const tables = { given: new Map(Object.entries(TF.given)), family: new Map(Object.entries(TF.family)) };
const model: MatchModel = { ...defaultModel(), termFrequencies: { ...TF, _meta: { minimum: 1e-5 } } };

describe('name order learned from the registry', () => {
  test('a record written family name first is turned round; one written as usual is not', () => {
    const swapped = prepare(features('Okumu', 'Peter'));
    expect(writtenFamilyFirst(tables, swapped)).toBe(true);
    expect(oriented(tables, swapped)).toMatchObject({ given: 'PETER', family: 'OKUMU' });
    const usual = prepare(features('Peter', 'Okumu'));
    expect(writtenFamilyFirst(tables, usual)).toBe(false);
    expect(oriented(tables, usual)).toBe(usual);
  });

  test('without tables, with a name the tables do not know, or with one name twice, nothing is turned', () => {
    const swapped = prepare(features('Okumu', 'Peter'));
    expect(writtenFamilyFirst({}, swapped)).toBe(false);
    expect(writtenFamilyFirst(tables, prepare(features('Okumu', 'Kintu')))).toBe(false);
    expect(writtenFamilyFirst(tables, prepare(features('Okumu', 'Okumu')))).toBe(false);
  });

  test('a name only slightly more common in the other field is not enough to turn a record', () => {
    const close = { given: new Map([['PETER', 10], ['OKUMU', 9]]), family: new Map([['OKUMU', 10], ['PETER', 9]]) };
    expect(writtenFamilyFirst(close, prepare(features('Okumu', 'Peter')))).toBe(false);
  });

  test('two siblings both written surname first compare as one family, two given names, not as one person renamed', () => {
    const a = features('Okumu', 'Peter');
    const b = features('Okumu', 'Joseph');
    const byField = Object.fromEntries(compare(a, b, model).fields.map((f) => [f.field, f.level]));
    expect(byField.family).toBe('exact');
    expect(byField.given).not.toBe('exact');
    // The same person written both ways still agrees on both names.
    const same = Object.fromEntries(compare(features('Okumu', 'Peter'), features('Peter', 'Okumu'), model).fields.map((f) => [f.field, f.level]));
    expect(same.family).toBe('exact');
    expect(same.given).toBe('exact');
  });
});
