import { toSearchFields } from '../../../src/registry/search-fields';
import { createStagingStore } from '../../../src/registry/staging/overlay';
import type { StoredSource } from '../../../src/registry/store';
import { aPatient } from '../../helpers/patients';
import { actor, makeService } from './helpers';

/** A committed registry with two Diops (one with an open review task) and a staging view over it. */
async function seeded(): Promise<{ base: ReturnType<typeof makeService>['store']; staged: ReturnType<typeof createStagingStore> }> {
  const { service, store } = makeService();
  await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
  await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '2' }], name: [{ family: 'Diop', given: ['Fatou'] }] }), sourceSystem: 'b', actor });
  return { base: store, staged: createStagingStore(store, 'unit-owner') };
}

function renamed(s: StoredSource, family: string): StoredSource {
  const patient = { ...s.patient, name: [{ family, given: s.patient.name?.[0]?.given ?? [] }] };
  return { ...s, patient, version: s.version + 1, search: toSearchFields(patient, s.id, true, '2030-01-01T00:00:00.000Z') };
}

describe('staging view of the registry store', () => {
  test('cross-reference: staged removals hide committed entries, staged puts join them, the base is untouched', async () => {
    const { base, staged } = await seeded();
    const held = await base.xref.get({ system: 'urn:a', value: '1' });
    const mpiId = held?.mpiId as string;
    await staged.store.xref.remove({ system: 'urn:a', value: '1', mpiId });
    await staged.store.xref.put({ system: 'urn:x', value: '9', mpiId });
    expect(await staged.store.xref.get({ system: 'urn:a', value: '1' })).toBeNull();
    expect((await staged.store.xref.byMpiId(mpiId)).map((e) => e.system)).toEqual(['urn:x']);
    await expect(staged.store.xref.insert({ system: 'urn:x', value: '9', mpiId: 'other' })).rejects.toMatchObject({ code: 'conflict' });
    expect((await base.xref.byMpiId(mpiId)).map((e) => e.system)).toEqual(['urn:a']);
  });

  test('blocking: tombstones and additions correct a committed block, in key order', async () => {
    const { base, staged } = await seeded();
    await base.blocking.add({ key: 'k', sourceKey: 's1' });
    await base.blocking.add({ key: 'k', sourceKey: 's2' });
    await staged.store.blocking.remove({ key: 'k', sourceKey: 's1' });
    await staged.store.blocking.add({ key: 'k', sourceKey: 's0' });
    expect(await staged.store.blocking.lookup('k', 10)).toEqual(['s0', 's2']);
    await staged.store.blocking.add({ key: 'k', sourceKey: 's1' });
    expect(await staged.store.blocking.lookup('k', 1)).toEqual(['s0', 's1']);
    expect(await base.blocking.lookup('k', 10)).toEqual(['s1', 's2']);
  });

  test('search, identifier lookup and count see staged versions instead of committed ones', async () => {
    const { base, staged } = await seeded();
    const a = (await base.sources.get('urn:a|1')) as StoredSource;
    await staged.store.sources.put(renamed(a, 'Sow'));
    const family = (value: string): Promise<{ total: number }> => staged.store.patients.search({ kind: 'source', family: [{ value, match: 'exact' }], offset: 0, count: 10 });
    expect((await family('diop')).total).toBe(1);
    expect((await family('sow')).total).toBe(1);
    const all = await staged.store.patients.search({ kind: 'source', offset: 0, count: 1, sort: [{ field: 'family', desc: true }] });
    expect([all.total, all.items[0]?.patient.name?.[0]?.family]).toEqual([2, 'Sow']);
    expect(await staged.store.sources.count()).toBe(2);
    expect((await staged.store.sources.byIdentifier({ system: 'urn:a' }, 10)).map((s) => s.version)).toEqual([a.version + 1]);
    expect((await base.patients.search({ kind: 'source', family: [{ value: 'sow', match: 'exact' }], offset: 0, count: 10 })).total).toBe(0);
  });

  test('review lists and type history count staged versions once', async () => {
    const { base, staged } = await seeded();
    const open = (await base.reviews.list({ state: 'open', offset: 0, count: 10 })).items[0];
    expect(open).toBeDefined();
    await staged.store.reviews.put({ ...(open as NonNullable<typeof open>), state: 'resolved', version: 2 });
    expect((await staged.store.reviews.list({ state: 'open', offset: 0, count: 10 })).total).toBe(0);
    expect((await staged.store.reviews.list({ offset: 0, count: 10 })).items.map((r) => r.state)).toEqual(['resolved']);
    const committed = (await base.history.all({ offset: 0, count: 100 })).total;
    const a = (await base.sources.get('urn:a|1')) as StoredSource;
    await staged.store.history.append({ kind: 'source', id: a.id, version: a.version + 1, at: '2030-01-01T00:00:00.000Z', operation: 'update', changedFields: ['name'], actor, patient: a.patient });
    const all = await staged.store.history.all({ offset: 0, count: 1 });
    expect([all.total, all.items[0]?.version]).toEqual([committed + 1, a.version + 1]);
    expect((await staged.store.history.list('source', a.id)).map((h) => h.version)).toEqual([1, 2]);
  });

  test('claims are taken on the base store under the unit owner and held until released', async () => {
    const { base, staged } = await seeded();
    const now = new Date();
    const later = new Date(now.getTime() + 60_000);
    expect(await staged.store.claims.tryAcquire('b:KEY', 'step-1', later, now)).toBe(true);
    expect(await staged.store.claims.tryAcquire('b:KEY', 'step-2', later, now)).toBe(true);
    await staged.store.claims.release(['b:KEY'], 'step-1');
    expect(await base.claims.tryAcquire('b:KEY', 'someone-else', later, now)).toBe(false);
    await staged.releaseClaims();
    expect(await base.claims.tryAcquire('b:KEY', 'someone-else', later, now)).toBe(true);
  });
});
