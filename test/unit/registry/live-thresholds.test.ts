/**
 * The matcher's thresholds swapped at run time (live configuration): the next registration and the
 * next match grade use the new values.
 */
import type { Patient } from 'fhir/r4';
import { buildRegistryModule } from '../../../src/registry-module';
import { testConfig } from '../../helpers/app';
import { memoryLogger } from '../../helpers/silent-logger';

const actor = { clientId: 'test' };
const person = (id: string): Patient => ({
  resourceType: 'Patient', identifier: [{ system: 'http://openmrs.example.org/patient', value: id }],
  name: [{ family: 'Diallo', given: ['Mariama'] }], birthDate: '1987-06-15', gender: 'female',
  telecom: [{ system: 'phone', value: '+221771234567' }], address: [{ city: 'Thiès', postalCode: '21000' }],
});

describe('live match thresholds', () => {
  async function secondOfPair(raiseUpper: boolean): Promise<{ outcome: string; sameGolden: boolean; grade?: string }> {
    const registry = buildRegistryModule({ config: testConfig(), logger: memoryLogger().logger, db: null });
    await registry.init();
    const first = await registry.service.registerSource({ patient: person('A-1'), sourceSystem: 'openmrs', actor });
    if (raiseUpper) registry.setMatchThresholds({ upperThreshold: 1, lowerThreshold: 0.5, runnerUpMargin: 5 });
    const [best] = await registry.service.match(person('A-2'), { count: 1 });
    const second = await registry.service.registerSource({ patient: person('A-2'), sourceSystem: 'openmrs', actor });
    await registry.close();
    return { outcome: second.outcome, sameGolden: second.golden.mpiId === first.golden.mpiId, grade: best?.grade };
  }

  it('links a close pair automatically under the default thresholds', async () => {
    expect(await secondOfPair(false)).toEqual({ outcome: 'linked', sameGolden: true, grade: 'certain' });
  });

  it('sends the same pair to review, and grades it below certain, once the upper threshold is raised at run time', async () => {
    const r = await secondOfPair(true);
    expect(r.outcome).toBe('review');
    expect(r.sameGolden).toBe(false);
    expect(r.grade).not.toBe('certain');
  });

  it('refuses thresholds that cross, keeping the ones in force', () => {
    const registry = buildRegistryModule({ config: testConfig(), logger: memoryLogger().logger, db: null });
    expect(() => registry.setMatchThresholds({ upperThreshold: 0.4, lowerThreshold: 0.6, runnerUpMargin: 5 })).toThrow(/lowerThreshold/);
  });
});
