import { toSearchFields } from '../../../src/registry/search-fields';
import { createStagingStore } from '../../../src/registry/staging/overlay';
import type { RecordWrites, StoredSource } from '../../../src/registry/store';
import { aPatient } from '../../helpers/patients';
import { actor, makeService } from './helpers';

/** A committed registry with two Diops (one with an open review task) and a staging view over it. */
async function seeded(): Promise<{ base: ReturnType<typeof makeService>['store']; staged: ReturnType<typeof createStagingStore> }> {
  const { service, store } = makeService();
  await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
  await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '2' }], name: [{ family: 'Diop', given: ['Fatou'] }] }), sourceSystem: 'b', actor });
  return { base: store, staged: createStagingStore(store) };
}

function renamed(s: StoredSource, family: string): StoredSource {
  const patient = { ...s.patient, name: [{ family, given: s.patient.name?.[0]?.given ?? [] }] };
  return { ...s, patient, version: s.version + 1, keys: [...s.keys.filter((k) => !k.startsWith('b:')), 'b:fam:SOW'], search: toSearchFields(patient, s.id, true, '2030-01-01T00:00:00.000Z') };
}

const writes = (w: Partial<RecordWrites>): RecordWrites => ({ sources: [], goldens: [], xrefPut: [], xrefDel: [], ...w });

describe('staging view of the registry store', () => {
  test('cross-reference: staged removals hide committed entries, staged puts join them, the base is untouched', async () => {
    const { base, staged } = await seeded();
    const [held] = await base.records.xref(['urn:a|1']);
    const mpiId = held?.mpiId as string;
    await staged.store.records.write(writes({ xrefDel: [{ key: 'urn:a|1', mpiId }], xrefPut: [{ key: 'urn:x|9', mpiId }] }));
    expect(await staged.store.records.xref(['urn:a|1', 'urn:x|9'])).toEqual([{ key: 'urn:x|9', mpiId }]);
    expect((await staged.store.records.lookup({ keys: ['x:urn:a|1', 'x:urn:x|9'] })).xref).toEqual([{ key: 'urn:x|9', mpiId }]);
    expect(await base.records.xref(['urn:a|1', 'urn:x|9'])).toEqual([{ key: 'urn:a|1', mpiId }]);
  });

  test('lookups, search, identifier lookup and count see staged versions instead of committed ones', async () => {
    const { base, staged } = await seeded();
    const a = (await base.records.source('urn:a|1')) as StoredSource;
    await staged.store.records.write(writes({ sources: [renamed(a, 'Sow')] }));
    expect((await staged.store.records.lookup({ keys: ['b:fam:DIOP'] })).sources.map((s) => s.key)).toEqual(['urn:b|2']);
    expect((await staged.store.records.lookup({ keys: ['b:fam:SOW'] })).sources.map((s) => s.key)).toEqual(['urn:a|1']);
    const family = (value: string): Promise<{ total: number }> => staged.store.records.search({ kind: 'source', family: [{ value, match: 'exact' }], offset: 0, count: 10 });
    expect((await family('diop')).total).toBe(1);
    expect((await family('sow')).total).toBe(1);
    const all = await staged.store.records.search({ kind: 'source', offset: 0, count: 1, sort: [{ field: 'family', desc: true }] });
    expect([all.total, all.items[0]?.patient.name?.[0]?.family]).toEqual([2, 'Sow']);
    expect(await staged.store.records.countSources()).toBe(2);
    expect((await staged.store.records.byIdentifier({ system: 'urn:a' }, 10)).map((s) => s.version)).toEqual([a.version + 1]);
    expect((await base.records.search({ kind: 'source', family: [{ value: 'sow', match: 'exact' }], offset: 0, count: 10 })).total).toBe(0);
  });

  test('the committed part of every lookup is remembered as the unit check', async () => {
    const { staged } = await seeded();
    expect(staged.baseCheck()).toBeNull();
    await staged.store.records.lookup({ keys: ['b:fam:DIOP'] });
    await staged.store.records.lookup({ keys: ['i:urn:a|1'], refined: [{ keys: ['b:fam:SOW'], rf: 'AF5' }] });
    // The unit's lookups merge into one query (one read to check them all at commit).
    expect(staged.baseCheck()).toEqual({ queries: [{ keys: ['b:fam:DIOP', 'i:urn:a|1'], refined: [{ rf: 'AF5', keys: ['b:fam:SOW'] }] }], seen: ['urn:a|1@1', 'urn:b|2@1'] });
  });

  test('review lists and type history count staged versions once', async () => {
    const { base, staged } = await seeded();
    const open = (await base.reviews.list({ state: 'open', offset: 0, count: 10 })).items[0];
    expect(open).toBeDefined();
    await staged.store.reviews.put([{ ...(open as NonNullable<typeof open>), state: 'resolved', version: 2 }]);
    expect((await staged.store.reviews.list({ state: 'open', offset: 0, count: 10 })).total).toBe(0);
    expect((await staged.store.reviews.list({ offset: 0, count: 10 })).items.map((r) => r.state)).toEqual(['resolved']);
    const committed = (await base.changes.allHistory({ offset: 0, count: 100 })).total;
    const a = (await base.records.source('urn:a|1')) as StoredSource;
    const history = [{ kind: 'source' as const, id: a.id, ref: `source|${a.id}`, version: a.version + 1, changedFields: ['name'], patient: a.patient }];
    await staged.store.changes.commit({ id: 'staged-1', seq: 1, at: '2030-01-01T00:00:00.000Z', operation: 'update', actor, leases: [], guards: [], writes: writes({}), reviews: [], merges: [], history, events: [], applied: false, unpublished: [] });
    const all = await staged.store.changes.allHistory({ offset: 0, count: 1 });
    expect([all.total, all.items[0]?.version]).toEqual([committed + 1, a.version + 1]);
    expect((await staged.store.changes.history('source', a.id)).map((h) => h.version)).toEqual([1, 2]);
    expect(staged.changes().map((c) => c.id)).toEqual(['staged-1']);
    expect(await base.changes.get('staged-1')).toBeNull();
  });
});
