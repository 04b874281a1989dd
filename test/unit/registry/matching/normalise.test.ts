import { normaliseFamily, normaliseGiven, normaliseText } from '../../../../src/registry/matching/normalise';
import { printableAscii } from '../../../helpers/random-text';
import { mulberry32 } from '../../../../src/registry/matching';
import { parseBirthDate } from '../../../../src/registry/matching/dates';
import { normalisePhone } from '../../../../src/registry/matching/phone';
import { extractFeatures } from '../../../../src/registry/matching/features';
import type { Patient } from 'fhir/r4';

const TODAY = '2026-11-23';

describe('text and names', () => {
  test.each([
    ['  Jean-Paul ', 'JEAN PAUL'],
    ['Héloïse', 'HELOISE'],
    ['N\'Diaye', 'NDIAYE'],
    ['Müller', 'MULLER'],
    ['Ødegård', 'ODEGARD'],
    ['Amina 😀👍🏽', 'AMINA'],
    ['محمد', 'محمد'],
    ['李小龙', '李小龙'],
    ['', ''],
    ['!!!', ''],
  ])('normaliseGiven(%j) = %j', (input, expected) => {
    expect(normaliseGiven(input)).toBe(expected);
  });

  test.each([
    ['van der Berg', ['BERG']],
    ['De La Cruz', ['CRUZ']],
    ['al-Hassan', ['HASSAN']],
    ['Ben', ['BEN']],
    ['Nakato Mukasa', ['NAKATO', 'MUKASA']],
    ['', []],
  ])('normaliseFamily(%j)', (input, expected) => {
    expect(normaliseFamily(input)).toEqual(expected);
  });

  test('a 10,000-character name is capped before the work (no clock: the result only depends on its head)', () => {
    const long = 'Ab'.repeat(5000);
    expect(normaliseGiven(long).length).toBeLessThanOrEqual(100);
    expect(normaliseGiven('Ab'.repeat(500_000))).toBe(normaliseGiven(long));
    expect(normaliseGiven(long)).toBe(normaliseGiven('Ab'.repeat(100)));
    expect(normaliseText(undefined)).toBe('');
  });
});

describe('birth dates', () => {
  test.each([
    ['1980-05-12', { year: 1980, month: 5, day: 12 }],
    ['19800512', { year: 1980, month: 5, day: 12 }],
    ['1980', { year: 1980, estimated: true }],
    ['1980-05', { year: 1980, month: 5, estimated: true }],
    ['1980-01-01', { year: 1980, month: 1, day: 1, estimated: true }],
    ['1980-07-01', { year: 1980, month: 7, day: 1, estimated: true }],
  ])('%s parses', (input, expected) => {
    expect(parseBirthDate(input, TODAY).date).toEqual(expected);
  });

  test.each([
    ['1980-13-45', 'impossible'],
    ['1981-02-29', 'impossible'],
    ['2090-01-02', 'future'],
    ['1850-03-04', 'before 1900'],
    ['yesterday', 'unreadable'],
  ])('%s is rejected (%s)', (input, reason) => {
    const r = parseBirthDate(input, TODAY);
    expect(r.date).toBeUndefined();
    expect(r.rejected).toContain(reason);
  });

  test('empty is neither a date nor a rejection', () => {
    expect(parseBirthDate('', TODAY)).toEqual({});
  });
});

describe('phones', () => {
  test.each([
    ['0772 123456', 'UG', '+256772123456'],
    ['772 123456', 'UG', '+256772123456'],
    ['+256 772 123456', 'UG', '+256772123456'],
    ['00256772123456', undefined, '+256772123456'],
    ['256772123456', 'UG', '+256772123456'],
    ['256772123456', 'SN', '+256772123456'],
    ['221 77 123 45 67', 'UG', '+221771234567'],
    ['0772 123456', 'SN', '+221772123456'],
    ['7712345678901', 'SN', '+2217712345678901'],
    ['77 123 45 67', 'SN', '+221771234567'],
    ['0772 123456', undefined, '0772123456'],
    ['12', 'UG', ''],
  ])('%s (%s) → %s', (input, country, expected) => {
    expect(normalisePhone(input, country)).toBe(expected);
  });
});

describe('extractFeatures', () => {
  const patient: Patient = {
    resourceType: 'Patient',
    name: [{ use: 'old', family: 'Old', given: ['X'] }, { use: 'official', family: 'van der Berg', given: ['Anne-Marie', 'Louise'] }],
    gender: 'female',
    birthDate: '1980-13-45',
    telecom: [{ system: 'phone', value: '0772 123456' }, { system: 'email', value: 'A@B.org' }],
    identifier: [
      { system: 'urn:x:nin', value: 'cm123 ' },
      { use: 'usual', system: 'urn:clinic', value: '42' },
      { use: 'official', system: 'urn:art', value: 'K-1' },
      { type: { coding: [{ code: 'NI' }] }, system: 'urn:y', value: '9' },
    ],
    address: [{ line: ['Plot 4', 'Kampala Road'], city: 'Kampala', postalCode: 'ab 1', state: 'Central' }],
  };

  test('reads every field and records rejections', () => {
    const f = extractFeatures(patient, { defaultCountry: 'UG', today: TODAY });
    expect(f.given).toEqual(['ANNE MARIE', 'LOUISE']);
    expect(f.family).toEqual(['BERG']);
    expect(f.familyPhonetic[0]).toBe('PRK');
    expect(f.birthDate).toBeUndefined();
    expect(f.rejected[0]).toMatch(/impossible date/);
    expect(f.phones).toEqual(['+256772123456']);
    expect(f.emails).toEqual(['a@b.org']);
    expect(f.nationalIds).toEqual(['urn:x:nin|CM123', 'urn:y|9']);
    expect(f.otherIds).toEqual(['urn:art|K1']);
    expect(f.localIds).toEqual(['urn:clinic|42']);
    expect(f).toMatchObject({ postcode: 'AB1', city: 'KAMPALA', state: 'CENTRAL', address: 'PLOT 4 KAMPALA ROAD', gender: 'female' });
  });

  test('explicit nationalIdSystems and ownKeySystems override the heuristics', () => {
    const f = extractFeatures(patient, { nationalIdSystems: ['urn:y'], ownKeySystems: ['urn:art'], today: TODAY });
    expect(f.nationalIds).toEqual(['urn:y|9']);
    expect(f.localIds).toContain('urn:art|K1');
  });

  test.each([
    [{ resourceType: 'Patient' }],
    [{ resourceType: 'Patient', name: [{ text: 'Amina Nakato' }] }],
    [{ resourceType: 'Patient', name: [{ given: ['😀'] }], birthDate: 12 }],
    [null],
  ])('never throws on %j', (p) => {
    expect(() => extractFeatures(p as unknown as Patient, { today: TODAY })).not.toThrow();
  });

  test('a name given only as text is split', () => {
    const f = extractFeatures({ resourceType: 'Patient', name: [{ text: 'Amina Grace Nakato' }] }, { today: TODAY });
    expect(f.family).toEqual(['NAKATO']);
    expect(f.given).toEqual(['AMINA GRACE']);
  });
});

describe('the printable-ASCII fast path of normaliseText', () => {
  test('gives what the Unicode passes give (property: a trailing combining mark sends the same text through them)', () => {
    const rand = mulberry32(11);
    for (let i = 0; i < 2000; i++) {
      const s = printableAscii(rand, 40);
      expect(normaliseText(s)).toBe(normaliseText(`${s}\u0301`));
    }
  });
});
