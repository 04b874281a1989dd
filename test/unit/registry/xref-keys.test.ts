import type { RegistryStore } from '../../../src/registry/store';
import { NID } from './fake-engine';
import { aPatient } from '../../helpers/patients';
import { actor, makeService } from './helpers';

/**
 * Every golden record's `xrefKeys` are entries of the cross-reference held by it, and every
 * identifier of its Patient (but its MPI ID) is held by it or by another golden record.
 */
async function expectXrefKeysTrue(store: RegistryStore, mpiIds: string[]): Promise<void> {
  for (const g of await store.records.goldens(mpiIds)) {
    const entries = await store.records.xref(g.xrefKeys);
    expect({ mpiId: g.mpiId, keys: entries.filter((e) => e.mpiId === g.mpiId).map((e) => e.key).sort() }).toEqual({ mpiId: g.mpiId, keys: [...g.xrefKeys].sort() });
    const wanted = (g.patient.identifier ?? []).filter((i) => i.system !== 'urn:passerelle:mpi-id').map((i) => `${i.system}|${i.value}`);
    if (g.status === 'merged') continue;
    expect((await store.records.xref(wanted)).map((e) => e.key).sort()).toEqual([...new Set(wanted)].sort());
  }
}

describe('golden records carry the cross-reference keys they hold', () => {
  test('through register, link, unlink, addIdentifier, merge and unmerge', async () => {
    const { service, store } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }, { system: NID, value: 'N1' }] }), sourceSystem: 'a', actor });
    const b = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '1' }] }), sourceSystem: 'b', actor });
    const c = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:c', value: '1' }], name: [{ family: 'Sow', given: ['Moussa'] }] }), sourceSystem: 'c', actor });
    const ids = [a.golden.mpiId, c.golden.mpiId];
    await expectXrefKeysTrue(store, ids);
    const unlinked = await service.unlink('urn:b|1', actor);
    await expectXrefKeysTrue(store, [...ids, unlinked.mpiId]);
    await service.link('urn:b|1', a.golden.mpiId, actor);
    await service.addIdentifier(c.golden.mpiId, { system: 'http://card.example.org/id', value: 'K9' }, actor);
    await expectXrefKeysTrue(store, [...ids, unlinked.mpiId]);
    await service.merge(a.golden.mpiId, c.golden.mpiId, actor);
    await expectXrefKeysTrue(store, ids);
    await service.unmerge(c.golden.mpiId, actor);
    await expectXrefKeysTrue(store, ids);
    expect(b.golden.mpiId).toBe(a.golden.mpiId);
  });
});
