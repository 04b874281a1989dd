import { collectionNames } from '../../../src/registry/mongo/indexes';
import { createRegistryService } from '../../../src/registry/service';
import type { RegistryStore } from '../../../src/registry/store';
import { fakeEngine, fakeModel } from '../../unit/registry/fake-engine';
import { aPatient } from '../../helpers/patients';
import { actor } from '../../unit/registry/helpers';
import { mongoStore, useTestDb } from './mongo-helpers';

const testDb = useTestDb();
let n = 0;

async function setup(instances = 1): Promise<{ prefix: string; store: RegistryStore; services: Array<ReturnType<typeof createRegistryService>> }> {
  const prefix = `a${++n}_`;
  const store = await mongoStore(testDb(), prefix);
  const services = await Promise.all(
    Array.from({ length: instances }, async (_, i) => createRegistryService({ store: await mongoStore(testDb(), prefix), engine: fakeEngine, defaultModel: fakeModel(), config: { instance: `p${i}`, leaseWaitMs: 100_000 } })),
  );
  return { prefix, store, services };
}

/** Documents in every registry collection. */
async function documentCounts(prefix: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, coll] of Object.entries(collectionNames(prefix))) out[name] = await testDb().collection(coll).countDocuments({});
  return out;
}

test('a failing unit writes no document to any collection of the real store', async () => {
  const { prefix, services } = await setup();
  const service = services[0] as (typeof services)[number];
  await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: 'seed' }] }), sourceSystem: 'a', actor });
  const before = await documentCounts(prefix);
  await expect(
    service.atomically(actor, async (tx) => {
      await tx.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '1' }] }), sourceSystem: 'b', actor });
      await tx.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:c', value: '1' }], name: [{ family: 'Sow', given: ['Moussa'] }] }), sourceSystem: 'c', actor });
      throw new Error('entry 3 failed');
    }),
  ).rejects.toThrow('entry 3 failed');
  expect(await documentCounts(prefix)).toEqual(before);
});

test('a unit commits one change document with all its events, applied like any change', async () => {
  const { prefix, store, services } = await setup();
  const service = services[0] as (typeof services)[number];
  const changesBefore = await testDb().collection(collectionNames(prefix).changes).countDocuments({ t: 'c' });
  const [a, b, c] = await service.atomically(actor, async (tx) => [
    await tx.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor }),
    await tx.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '1' }] }), sourceSystem: 'b', actor }),
    await tx.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:c', value: '1' }], name: [{ family: 'Sow', given: ['Moussa'] }] }), sourceSystem: 'c', actor }),
  ]);
  expect(await testDb().collection(collectionNames(prefix).changes).countDocuments({ t: 'c' })).toBe(changesBefore + 1);
  expect(await testDb().collection(collectionNames(prefix).changes).countDocuments({ t: 'l' })).toBe(0);
  expect(b?.golden.mpiId).toBe(a?.golden.mpiId);
  expect(c?.golden.mpiId).not.toBe(a?.golden.mpiId);
  expect((await store.records.golden(a?.golden.mpiId))?.sourceKeys).toEqual(['urn:a|1', 'urn:b|1']);
  expect((await store.records.xref(['urn:b|1']))[0]?.mpiId).toBe(a?.golden.mpiId);
  const events = (await store.outbox.pending(100)).map((e) => e.type.replace('org.passerelle.patient.', ''));
  expect(events).toEqual(['created', 'linked', 'created']);
  expect(await store.changes.unfinished(10)).toEqual([]);
});

test('concurrent units from two instances registering one person make one golden record', async () => {
  const { store, services } = await setup(2);
  const units = Array.from({ length: 10 }, (_, i) =>
    (services[i % 2] as (typeof services)[number]).atomically(actor, async (tx) => [
      await tx.registerSource({ patient: aPatient({ identifier: [{ system: `urn:sys:${i}`, value: 'x' }] }), sourceSystem: `s${i}`, actor }),
      await tx.registerSource({ patient: aPatient({ identifier: [{ system: `urn:other:${i}`, value: 'y' }] }), sourceSystem: `o${i}`, actor }),
    ]),
  );
  const results = (await Promise.all(units)).flat();
  const mpiIds = new Set(results.map((r) => r.golden.mpiId));
  expect(mpiIds.size).toBe(1);
  expect((await store.records.golden([...mpiIds][0] as string))?.sourceKeys).toHaveLength(20);
}, 120_000);

test('a unit interrupted between commit and apply is finished by recovery', async () => {
  const { store, services } = await setup();
  const service = services[0] as (typeof services)[number];
  // The commit lands, then the process "dies" while applying: the record writes fail.
  const crashing = createRegistryService({ store: { ...store, records: { ...store.records, write: async () => Promise.reject(new Error('process died')) } }, engine: fakeEngine, defaultModel: fakeModel(), config: { instance: 'crash' } });
  await expect(
    crashing.atomically(actor, async (tx) => {
      await tx.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
      await tx.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '1' }] }), sourceSystem: 'b', actor });
    }),
  ).rejects.toThrow('process died');
  expect(await store.changes.unfinished(10)).toHaveLength(1);
  expect(await service.recoverPending({ graceMs: 0 })).toBe(1);
  const a = await store.records.source('urn:a|1');
  const golden = await store.records.golden(a?.goldenId as string);
  expect(golden?.sourceKeys).toEqual(['urn:a|1', 'urn:b|1']);
  expect((await store.records.xref(['urn:b|1']))[0]?.mpiId).toBe(golden?.mpiId);
  expect((await store.outbox.pending(10)).map((e) => e.type.replace('org.passerelle.patient.', ''))).toEqual(['created', 'linked']);
});
