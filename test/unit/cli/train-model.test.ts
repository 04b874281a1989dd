import type { Patient } from 'fhir/r4';
import { collectFeatures, describeModel } from '../../../src/cli/train-model';
import { trainModel } from '../../../src/registry/matching';
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
