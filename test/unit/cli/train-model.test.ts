import type { Patient } from 'fhir/r4';
import { collectFeatures, describeModel } from '../../../src/cli/train-model';
import { rulesFromEnvironment, trainModel } from '../../../src/registry/matching';
import { buildRegistryModule } from '../../../src/registry-module';
import { testConfig } from '../../helpers/app';
import { memoryLogger } from '../../helpers/silent-logger';

const GIVEN = ['AMINATA', 'MOUSSA', 'FATOU', 'IBRAHIMA', 'AWA', 'OUSMANE', 'MARIAMA', 'CHEIKH', 'KHADY', 'MAMADOU'];
const FAMILY = ['DIALLO', 'NDIAYE', 'FALL', 'SOW', 'BA', 'DIOP', 'GUEYE', 'FAYE', 'SARR', 'CISSE', 'MBAYE', 'SECK'];

function person(i: number, source: string): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: `urn:test:${source}`, value: `R${i}`, use: 'usual' }],
    name: [{ family: FAMILY[(i * 7) % FAMILY.length], given: [GIVEN[(i * 3) % GIVEN.length]!] }],
    birthDate: `19${50 + (i % 50)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + ((i * 5) % 28)).padStart(2, '0')}`,
    gender: i % 2 ? 'female' : 'male',
  };
}

describe('model training command', () => {
  it('trains on the registry records, reproducibly, and renders the weights', async () => {
    const registry = buildRegistryModule({ config: testConfig(), logger: memoryLogger().logger, db: null });
    for (let i = 0; i < 150; i += 1) {
      await registry.service.registerSource({ patient: person(i, 'a'), sourceSystem: 'a', actor: { clientId: 't' } });
      if (i % 3 === 0) await registry.service.registerSource({ patient: person(i, 'b'), sourceSystem: 'b', actor: { clientId: 't' } });
    }
    const features = await collectFeatures(registry.store);
    expect(features).toHaveLength(200);
    const now = '2026-11-23T00:00:00.000Z';
    const a = trainModel(features, { seed: 7, now });
    const b = trainModel(features, { seed: 7, now });
    expect(a).toEqual(b);
    expect(a.trainedBy).toMatchObject({ method: 'em', records: 200, seed: 7 });
    const text = describeModel(a);
    expect(text).toContain(`model ${a.version} (em, 200 records`);
    expect(text).toMatch(/^family\s+exact\s+/m);
  });
});

describe('npm run model -- show', () => {
  const model = {
    ...trainModel([], { now: '2026-11-23T00:00:00.000Z' }),
    householdLambda: 0.001,
    twinLambda: 0.00002,
    identifierSystems: {
      'urn:nin': { values: 900, checkDigit: 'verhoeff' as const, pairs: 300, agree: 290, typo: 10, conflict: 0, reliable: true },
      'urn:art': { values: 200, pairs: 120, agree: 100, typo: 8, conflict: 12, reliable: false },
    },
  };

  it('shows the household and twin priors and what was learned about each identifier system', () => {
    const text = describeModel(model);
    expect(text).toContain('household 1.000e-3, twins 2.000e-5');
    expect(text).toMatch(/^urn:nin\s+900 verhoeff\s+300\s+290\s+10\s+0\s+0\.00 % reliable\s+never auto-links \(learned\); links whatever the demographics \(learned\)$/m);
    expect(text).toMatch(/^urn:art\s+200 -\s+120\s+100\s+8\s+12\s+10\.00 % unreliable\s+weighs against the match \(learned\); weighs for the match \(learned\)$/m);
  });

  it('says where an explicit setting overrides what was learned', () => {
    const text = describeModel(model, rulesFromEnvironment({ MATCH_IDENTIFIER_CONFLICT_REVIEWED_SYSTEMS: 'urn:art' }));
    expect(text).toMatch(/^urn:art .*never auto-links \(MATCH_IDENTIFIER_CONFLICT_REVIEWED_SYSTEMS\); links whatever the demographics \(MATCH_IDENTIFIER_CONFLICT_REVIEWED_SYSTEMS\)$/m);
    const scored = describeModel(model, rulesFromEnvironment({ MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS: 'urn:nin' }));
    expect(scored).toMatch(/^urn:nin .*weighs against the match \(MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS\); weighs for the match \(MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS\)$/m);
  });
});
