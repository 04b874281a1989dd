import type { Patient } from 'fhir/r4';
import { defaultModel } from '../../../src/registry/matching';
import { buildRegistryModule } from '../../../src/registry-module';
import { testConfig } from '../../helpers/app';
import { memoryLogger } from '../../helpers/silent-logger';

const NID = 'urn:oid:1.2.250.1.1';

function person(source: string, nid: string): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: `urn:test:${source}`, value: 'R1', use: 'usual' }, { system: NID, value: nid, type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NI' }] } }],
    name: [{ family: 'Ndiaye', given: ['Aminata'] }],
    gender: 'female',
    birthDate: '1984-03-12',
    telecom: [{ system: 'phone', value: '+221771234567' }],
    address: [{ city: 'Thies', postalCode: '21000', line: ['12 Rue Pasteur'] }],
  };
}

async function registerPair(env: Record<string, string>): Promise<string> {
  const registry = buildRegistryModule({ config: testConfig(env), logger: memoryLogger().logger, db: null });
  const actor = { clientId: 't' };
  await registry.service.registerSource({ patient: person('a', '1984031200123'), sourceSystem: 'a', actor });
  // Same person, national ID differing in three places: not a one-character typo.
  const b = await registry.service.registerSource({ patient: person('b', '1984039900723'), sourceSystem: 'b', actor });
  await registry.close();
  return b.outcome;
}

describe('decision rules from the configuration (MATCH_*)', () => {
  it('a conflicting national ID never auto-links by default, and only weighs against the match with MATCH_IDENTIFIER_CONFLICT=score', async () => {
    expect(await registerPair({})).toBe('review');
    expect(await registerPair({ MATCH_IDENTIFIER_CONFLICT: 'score' })).toBe('linked');
  });

  it('MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS lets only the listed systems conflict without blocking', async () => {
    expect(await registerPair({ MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS: NID })).toBe('linked');
    expect(await registerPair({ MATCH_IDENTIFIER_CONFLICT_SCORED_SYSTEMS: 'urn:other:system' })).toBe('review');
  });

  it('MATCH_LOWER_THRESHOLD and MATCH_UPPER_THRESHOLD move a probable match between link, review and new', async () => {
    // Same person seen twice without the national ID, without phone or street address, with a typo in the given name.
    const weaker = (p: Patient): Patient => ({ ...p, identifier: p.identifier?.slice(0, 1), name: [{ family: 'Ndiaye', given: ['Aminta'] }], telecom: [], address: [{ city: 'Thies' }] });
    const outcome = async (env: Record<string, string>): Promise<string> => {
      const registry = buildRegistryModule({ config: testConfig(env), logger: memoryLogger().logger, db: null });
      await registry.service.registerSource({ patient: weaker(person('a', '1')), sourceSystem: 'a', actor: { clientId: 't' } });
      const b = await registry.service.registerSource({ patient: weaker(person('b', '1')), sourceSystem: 'b', actor: { clientId: 't' } });
      await registry.close();
      return b.outcome;
    };
    expect(await outcome({})).toBe('linked');
    expect(await outcome({ MATCH_UPPER_THRESHOLD: '0.9999999999999' })).toBe('review');
    expect(await outcome({ MATCH_UPPER_THRESHOLD: '0.9999999999999', MATCH_LOWER_THRESHOLD: '0.9999999999999' })).toBe('created');
  });

  it('a value shared in a system learned unreliable (a hand-typed programme number) is evidence, not proof: two different people are not linked by it', async () => {
    const ART = 'urn:test:art-number';
    const art = (value: string): NonNullable<Patient['identifier']>[number] => ({ system: ART, value, use: 'official' });
    const other: Patient = {
      resourceType: 'Patient', identifier: [{ system: 'urn:test:c', value: 'R9' }], name: [{ family: 'Diop', given: ['Moussa'] }],
      gender: 'male', birthDate: '1961-11-02', telecom: [{ system: 'phone', value: '+221765550011' }], address: [{ city: 'Kaolack' }],
    };
    const secondOutcome = async (reliable: boolean, env: Record<string, string> = {}): Promise<string> => {
      const registry = buildRegistryModule({ config: testConfig(env), logger: memoryLogger().logger, db: null });
      const base = defaultModel();
      const learned = { values: 400, pairs: 100, agree: 80, typo: 5, conflict: reliable ? 0 : 15, reliable };
      await registry.service.saveModel({ ...base, version: `${base.version}-art-${reliable}`, identifierSystems: { [ART]: learned } }, true);
      const a = person('a', '1984031200123');
      await registry.service.registerSource({ patient: { ...a, identifier: [...(a.identifier ?? []), art('ART-KLA-91010')] }, sourceSystem: 'a', actor: { clientId: 't' } });
      const b = await registry.service.registerSource({ patient: { ...other, identifier: [...(other.identifier ?? []), art('ART-KLA-91010')] }, sourceSystem: 'c', actor: { clientId: 't' } });
      await registry.close();
      return b.outcome;
    };
    expect(await secondOutcome(false)).toBe('created');
    // Trusted (learned reliable, or listed as reviewed): the shared value links whatever the demographics.
    expect(await secondOutcome(true)).toBe('linked');
    expect(await secondOutcome(false, { MATCH_IDENTIFIER_CONFLICT_REVIEWED_SYSTEMS: ART })).toBe('linked');
  });
});
