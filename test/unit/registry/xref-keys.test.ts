import type { RegistryStore, StoredGolden } from '../../../src/registry/store';
import { NID } from './fake-engine';
import { aPatient } from '../../helpers/patients';
import { actor, makeService } from './helpers';

/** Every golden record's `xrefKeys` equals what the cross-reference really holds for it. */
async function expectXrefKeysTrue(store: RegistryStore, mpiIds: string[]): Promise<void> {
  for (const g of await store.goldens.getMany(mpiIds)) {
    const held = (await store.xref.byMpiId(g.mpiId)).map((e) => `${e.system}|${e.value}`).sort();
    expect({ mpiId: g.mpiId, keys: g.xrefKeys }).toEqual({ mpiId: g.mpiId, keys: held });
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

  test('a golden record written before xrefKeys existed is diffed from the cross-reference itself', async () => {
    const { service, store } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    const legacy = (await store.goldens.get(a.golden.mpiId)) as StoredGolden;
    const { xrefKeys: _dropped, ...old } = structuredClone(legacy);
    await store.goldens.put({ ...old, version: legacy.version + 1 });
    await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }], name: [{ family: 'Sall', given: ['Awa'] }] }), sourceSystem: 'a', actor });
    expect((await store.xref.byMpiId(a.golden.mpiId)).map((e) => e.system)).toEqual(['urn:a']);
    await expectXrefKeysTrue(store, [a.golden.mpiId]);
  });
});
