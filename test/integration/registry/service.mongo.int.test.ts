import { createRegistryService } from '../../../src/registry/service';
import { fakeEngine, fakeModel } from '../../unit/registry/fake-engine';
import { aPatient } from '../../helpers/patients';
import { actor, eventsByTopic, identityState } from '../../unit/registry/helpers';
import { mongoStore, useTestDb } from './mongo-helpers';

const testDb = useTestDb();
let n = 0;

async function services(count: number): Promise<{ store: Awaited<ReturnType<typeof mongoStore>>; list: Array<ReturnType<typeof createRegistryService>> }> {
  const prefix = `s${++n}_`;
  const store = await mongoStore(testDb(), prefix);
  // Each instance gets its own store object over the same collections, as two processes would.
  const list = await Promise.all(
    Array.from({ length: count }, async (_, i) => createRegistryService({ store: await mongoStore(testDb(), prefix), engine: fakeEngine, defaultModel: fakeModel(), config: { instance: `p${i}`, leaseWaitMs: 100_000 } })),
  );
  return { store, list };
}

test('50 concurrent registrations of one person through two instances make exactly one golden record', async () => {
  const { store, list } = await services(2);
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => (list[i % 2] as (typeof list)[number]).registerSource({ patient: aPatient({ identifier: [{ system: `urn:system:${i}`, value: 'P-1' }] }), sourceSystem: `sys${i}`, actor })),
  );
  const mpiIds = new Set(results.map((r) => r.golden.mpiId));
  expect(mpiIds.size).toBe(1);
  const [mpiId] = [...mpiIds];
  const golden = await store.records.golden(mpiId as string);
  expect(golden?.sourceKeys).toHaveLength(50);
  expect(golden?.xrefKeys).toHaveLength(50);
  expect((await store.records.xref(golden?.xrefKeys ?? [])).every((e) => e.mpiId === mpiId)).toBe(true);
  expect(results.filter((r) => r.outcome === 'created')).toHaveLength(1);
  const ev = await eventsByTopic(store);
  expect(ev.patient).toHaveLength(50);
  expect(await store.changes.unfinished(10)).toEqual([]);
}, 180_000);

test('merge then unmerge restores the exact prior state on MongoDB', async () => {
  const { store, list } = await services(1);
  const service = list[0] as (typeof list)[number];
  const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
  await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '1' }] }), sourceSystem: 'b', actor });
  const c = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:c', value: '1' }], name: [{ family: 'Sow', given: ['Moussa'] }] }), sourceSystem: 'c', actor });
  await service.addIdentifier(c.golden.mpiId, { system: 'http://card.example.org/id', value: 'K.9' }, actor);
  const ids = [a.golden.mpiId, c.golden.mpiId];
  const keys = ['urn:a|1', 'urn:b|1', 'urn:c|1'];
  const before = await identityState(store, ids, keys);
  await service.merge(a.golden.mpiId, c.golden.mpiId, actor);
  expect((await service.getGolden(c.golden.mpiId))?.redirectedFrom).toBe(c.golden.mpiId);
  await service.unmerge(c.golden.mpiId, actor);
  expect(await identityState(store, ids, keys)).toEqual(before);
});

test('each identity change writes exactly one patient event, in journal order', async () => {
  const { store, list } = await services(1);
  const service = list[0] as (typeof list)[number];
  const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
  await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '1' }] }), sourceSystem: 'b', actor });
  await service.unlink('urn:b|1', actor);
  await service.link('urn:b|1', a.golden.mpiId, actor);
  await service.deactivateSource('urn:b|1', actor);
  const pending = await store.outbox.pending(100);
  expect(pending.map((e) => e.type.replace('org.passerelle.patient.', ''))).toEqual(['created', 'linked', 'unlinked', 'linked', 'deactivated']);
  await store.outbox.markPublished(pending.map((e) => e.id));
  expect(await store.outbox.pending(100)).toEqual([]);
});

test('two concurrent review resolutions: one wins, the other gets conflict', async () => {
  const { list } = await services(2);
  const [s1, s2] = list as [(typeof list)[number], (typeof list)[number]];
  const a = await s1.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
  const b = await s1.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '2' }], name: [{ family: 'Diop', given: ['Fatou'] }] }), sourceSystem: 'b', actor });
  const results = await Promise.allSettled([
    s1.resolveReview(b.reviewTaskId as string, { action: 'link', mpiId: a.golden.mpiId }, actor),
    s2.resolveReview(b.reviewTaskId as string, { action: 'not-a-match' }, actor),
  ]);
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict' });
});

// A deactivation leaves its blocks while a registration decides on them: their leases serialise them.
test('a deactivation and a registration sharing a blocking key, run at once: the block holds exactly the active record', async () => {
  const { store, list } = await services(2);
  const [one, two] = list as [(typeof list)[number], (typeof list)[number]];
  for (let round = 0; round < 8; round++) {
    const family = `Fam${round}`;
    await one.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: `${round}` }], name: [{ family: family, given: ['Awa'] }] }), sourceSystem: 'a', actor });
    await Promise.all([
      one.deactivateSource(`urn:a|${round}`, actor),
      two.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: `${round}` }], name: [{ family: family, given: ['Binta'] }], birthDate: '1971-01-01' }), sourceSystem: 'b', actor }),
    ]);
    expect((await store.records.lookup({ keys: [`b:fam:${family.toUpperCase()}`] })).sources.map((x) => x.key)).toEqual([`urn:b|${round}`]);
  }
}, 120_000);
