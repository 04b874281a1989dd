import type { Patient } from 'fhir/r4';
import { createMatchingEngine, defaultModel } from '../../../src/registry/matching';
import type { MatchingEngine } from '../../../src/registry/matching';
import { createMemoryRegistryStore } from '../../../src/registry/memory/memory-store';
import { createRegistryService } from '../../../src/registry/service';

const GIVEN = ['Aminata', 'Moussa', 'Fatou', 'Ibrahima', 'Awa', 'Cheikh', 'Khadija', 'Mamadou', 'Ndeye', 'Ousmane', 'Mariama', 'Abdoulaye'];

/** Everyone is a Diallo of Dakar: the city + family-name block holds all of them. */
function diallo(i: number, source = 'a'): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: `urn:test:${source}`, value: `R${i}`, use: 'usual' }],
    name: [{ family: 'Diallo', given: [GIVEN[i % GIVEN.length] as string] }],
    gender: i % 2 === 0 ? 'female' : 'male',
    birthDate: `${1950 + i}-${String(1 + (i % 12)).padStart(2, '0')}-15`,
    address: [{ city: 'Dakar' }],
  };
}

async function load(refineAt: number): Promise<{ weighed: number; debug: string[]; linked: boolean }> {
  const base = createMatchingEngine();
  let weighed = 0;
  const engine: MatchingEngine = { ...base, weight: (a, b, m) => (weighed++, base.weight(a, b, m)) };
  const debug: string[] = [];
  const logger = { warn: (): void => undefined, debug: (_o: object, msg: string): void => void debug.push(msg) };
  const service = createRegistryService({ store: createMemoryRegistryStore(), engine, defaultModel: defaultModel(), logger, config: { instance: 't', refineAt } });
  const actor = { clientId: 't' };
  const first = [];
  for (let i = 0; i < 40; i++) first.push(await service.registerSource({ patient: diallo(i), sourceSystem: 'a', actor }));
  weighed = 0;
  const again = await service.registerSource({ patient: diallo(17, 'b'), sourceSystem: 'b', actor });
  return { weighed, debug, linked: again.golden.mpiId === first[17]?.golden.mpiId };
}

describe('large blocks are split by their refined key', () => {
  it('reads fewer candidates once a block passes refineAt, logs the split, and still finds the person', async () => {
    const unsplit = await load(1000);
    const split = await load(5);
    expect(unsplit.linked).toBe(true);
    expect(split.linked).toBe(true);
    expect(unsplit.debug).not.toContain('large block split by its refined key');
    expect(split.debug).toContain('large block split by its refined key');
    expect(split.weighed).toBeLessThan(unsplit.weighed);
  });
});
