import type { Patient } from 'fhir/r4';
import { computeGoldenPatient } from '../../../src/registry/survivorship';
import type { SurvivorshipConfig } from '../../../src/registry/survivorship';
import type { StoredGolden, StoredSource } from '../../../src/registry/store';
import { buildRegistryModule } from '../../../src/registry-module';
import { testConfig } from '../../helpers/app';
import { NATIONAL_ID, aPatient } from '../../helpers/patients';
import { memoryLogger } from '../../helpers/silent-logger';

const cfg: SurvivorshipConfig = { trust: ['urn:trusted', 'urn:other'], mpiSystem: 'urn:passerelle:mpi-id', phoneCountry: 'SN' };
const golden = { mpiId: 'SN-DKR-26-AAAAAAAA', status: 'active', extraIdentifiers: [] } as Pick<StoredGolden, 'mpiId' | 'status' | 'mergedInto' | 'stewardPatch' | 'extraIdentifiers'>;

/** A linked source as survivorship reads it: system, arrival time and the mapped Patient. */
function source(sourceSystem: string, patient: Partial<Patient>, receivedAt = '2026-01-01T00:00:00.000Z'): StoredSource {
  const key = `${sourceSystem}|${receivedAt}`;
  return { key, id: key, sourceSystem, receivedAt, patient: { resourceType: 'Patient', ...patient } } as unknown as StoredSource;
}

describe('survivorship prefers well-formed values', () => {
  test('a name in proper case beats the same name in capitals from a more trusted, more recent source', () => {
    const g = computeGoldenPatient(golden, [
      source('urn:trusted', { name: [{ family: 'JOSHUA', given: ['AMINA'] }] }, '2026-03-01T00:00:00.000Z'),
      source('urn:other', { name: [{ family: 'Joshua', given: ['Amina'] }] }),
    ], cfg);
    expect(g.name).toEqual([{ family: 'Joshua', given: ['Amina'] }]);
  });

  test.each([
    ['all lower case', [{ family: 'joshua', given: ['Amina'] }]],
    ['one given name in capitals', [{ family: 'Joshua', given: ['Amina', 'FATOU'] }]],
  ])('a name with a part in %s is ill-formed', (_what, illFormed) => {
    const g = computeGoldenPatient(golden, [source('urn:trusted', { name: illFormed }), source('urn:other', { name: [{ family: 'Diallo', given: ['Awa'] }] })], cfg);
    expect(g.name).toEqual([{ family: 'Diallo', given: ['Awa'] }]);
  });

  test('initials and scripts without case are well-formed; among well-formed names trust decides', () => {
    const g = computeGoldenPatient(golden, [
      source('urn:other', { name: [{ family: 'Diallo', given: ['Awa'] }] }),
      source('urn:trusted', { name: [{ family: 'ባህሩ', given: ['A', 'ሰላም'] }] }),
    ], cfg);
    expect(g.name).toEqual([{ family: 'ባህሩ', given: ['A', 'ሰላም'] }]);
  });

  test('when every name is in capitals, trust still decides', () => {
    const g = computeGoldenPatient(golden, [source('urn:other', { name: [{ family: 'BA' }] }), source('urn:trusted', { name: [{ family: 'SOW' }] })], cfg);
    expect(g.name).toEqual([{ family: 'SOW' }]);
  });

  test.each([
    ['a full date over a year only', ['1990', '1990-05-12'], '1990-05-12'],
    ['a full date over a year and month', ['1990-05', '1990-05-12'], '1990-05-12'],
    ['a year and month over a year only', ['1990', '1990-05'], '1990-05'],
    ['a full date over an estimated one (1 January)', ['1990-01-01', '1990-05-12'], '1990-05-12'],
    ['a full date over an estimated one (1 July)', ['1990-07-01', '1991-03-02'], '1991-03-02'],
    ['an estimated full date over a year only', ['1990', '1990-01-01'], '1990-01-01'],
  ])('birth date: %s, whatever the trust order', (_what, [trusted, other], expected) => {
    const g = computeGoldenPatient(golden, [source('urn:trusted', { birthDate: trusted }), source('urn:other', { birthDate: other })], cfg);
    expect(g.birthDate).toBe(expected);
  });

  test('a phone number in national format is written in E.164 and appears once beside its international form', () => {
    const g = computeGoldenPatient(golden, [
      source('urn:trusted', { telecom: [{ system: 'phone', value: '0678 56160', use: 'mobile' }, { system: 'email', value: 'awa@example.org' }] }),
      source('urn:other', { telecom: [{ system: 'phone', value: '+221 67856160' }, { system: 'sms', value: '00221 77 123 45 67' }] }),
    ], cfg);
    expect(g.telecom).toEqual([
      { system: 'phone', value: '+22167856160', use: 'mobile' },
      { system: 'email', value: 'awa@example.org' },
      { system: 'sms', value: '+221771234567' },
    ]);
  });

  test('without a default phone country a national number stays as written', () => {
    const g = computeGoldenPatient(golden, [source('urn:trusted', { telecom: [{ system: 'phone', value: '0678 56160' }] })], { ...cfg, phoneCountry: undefined });
    expect(g.telecom).toEqual([{ system: 'phone', value: '0678 56160' }]);
  });

  test('a steward patch still wins over a well-formed value', () => {
    const g = computeGoldenPatient({ ...golden, stewardPatch: { name: [{ family: 'DIOP' }] } }, [source('urn:other', { name: [{ family: 'Diop' }] })], cfg);
    expect(g.name).toEqual([{ family: 'DIOP' }]);
  });
});

describe('survivorship as the registry runs it', () => {
  test('two systems, one person: the golden record shows the proper-case name and the E.164 phone of the deployment country', async () => {
    const registry = buildRegistryModule({ config: testConfig({ DEFAULT_PHONE_COUNTRY: 'SN' }), logger: memoryLogger().logger, db: null });
    const person = (system: string, family: string, phone: string): Patient => aPatient({
      identifier: [{ system, value: 'P-1' }, { system: NATIONAL_ID, value: '1234567890' }],
      name: [{ family, given: [family === 'JOSHUA' ? 'MARIAMA' : 'Mariama'] }], birthDate: '1987-09-14', telecom: [{ system: 'phone', value: phone }],
    });
    const actor = { clientId: 't' };
    const first = await registry.service.registerSource({ patient: person('urn:dhis2', 'Joshua', '+221678561600'), sourceSystem: 'urn:dhis2', actor });
    const second = await registry.service.registerSource({ patient: person('urn:openmrs', 'JOSHUA', '0678 56160 0'), sourceSystem: 'urn:openmrs', actor });
    expect(second.golden.mpiId).toBe(first.golden.mpiId);
    expect(second.golden.patient.name).toEqual([{ family: 'Joshua', given: ['Mariama'] }]);
    expect(second.golden.patient.telecom).toEqual([{ system: 'phone', value: '+221678561600' }]);
  });
});
