/**
 * ChangeBuilder (src/registry/change-builder.ts), through its public methods: an operation stages
 * records, documents and events; `build()` derives everything else — versions and guards, each touched
 * golden record's members and survivorship, the cross-reference diff, the leases, history and the
 * events — so that no operation can forget any of it.
 */
import { ChangeBuilder } from '../../../src/registry/change-builder';
import { createContext } from '../../../src/registry/context';
import type { RegistryContext } from '../../../src/registry/context';
import { guardKey, identifierKey, leaseKey } from '../../../src/registry/keys';
import { createMemoryRegistryStore } from '../../../src/registry/memory/memory-store';
import type { RegistryStore } from '../../../src/registry/store';
import { aPatient } from '../../helpers/patients';
import { fakeEngine, fakeModel } from './fake-engine';
import { actor, makeService } from './helpers';

const AT = '2026-03-04T05:06:07.000Z';

/** A store holding one golden record with two linked sources (urn:a|1 and urn:b|1, the same person). */
async function seeded(): Promise<{ store: RegistryStore; mpiId: string }> {
  const { service, store } = makeService();
  const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
  const b = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '1' }], name: [{ family: 'Diop', given: ['Awa', 'Marie'] }] }), sourceSystem: 'b', actor });
  expect(b.golden.mpiId).toBe(a.golden.mpiId);
  return { store, mpiId: a.golden.mpiId };
}

function contextOver(store: RegistryStore): RegistryContext {
  let n = 0;
  return createContext({ store, engine: fakeEngine, defaultModel: fakeModel(), clock: { now: () => new Date(AT) }, newId: () => `id-${++n}`, config: { instance: 'unit' } });
}

describe('ChangeBuilder', () => {
  test('a builder with nothing staged is empty and builds a change that writes nothing', async () => {
    const b = new ChangeBuilder(contextOver(createMemoryRegistryStore()), 'patch', actor);
    expect(b.empty).toBe(true);
    const change = await b.build();
    expect(change).toMatchObject({ id: 'id-1', at: AT, operation: 'patch', actor, guards: [], leases: [], history: [], events: [] });
    expect(change.writes).toMatchObject({ sources: [], goldens: [], xrefPut: [], xrefDel: [] });
  });

  test('source() hands out working copies: edits reach the change only once staged', async () => {
    const { store } = await seeded();
    const b = new ChangeBuilder(contextOver(store), 'patch', actor);
    const copy = (await b.source('urn:a|1'))!;
    // The parts of a working copy are shared with the stored version: replaced, never changed in place.
    expect(() => {
      copy.patient.gender = 'other';
    }).toThrow(TypeError);
    copy.patient = { ...copy.patient, gender: 'other' };
    expect((await b.source('urn:a|1'))?.patient.gender).toBe('female');
    expect((await store.records.source('urn:a|1'))?.patient.gender).toBe('female');
    b.stageSource(copy);
    expect(b.empty).toBe(false);
    expect((await b.source('urn:a|1'))?.patient.gender).toBe('other');
  });

  test('build() versions a staged source, guards and leases it, and records what changed in its history', async () => {
    const { store } = await seeded();
    const before = (await store.records.source('urn:a|1'))!;
    const b = new ChangeBuilder(contextOver(store), 'patch', actor);
    const src = (await b.source('urn:a|1'))!;
    src.patient = { ...src.patient, telecom: [{ system: 'phone', value: '+221770000000' }] };
    b.stageSource(src);
    const change = await b.build();
    const written = change.writes.sources[0]!;
    expect(written.version).toBe(before.version + 1);
    expect(written.patient.meta).toMatchObject({ versionId: String(written.version), lastUpdated: AT });
    expect(change.guards).toContain(guardKey.source('urn:a|1', written.version));
    expect(change.leases).toContain(leaseKey.source('urn:a|1'));
    expect(change.history.map((h) => [h.kind, h.id, h.version, h.changedFields])).toEqual([['source', written.id, written.version, ['telecom']]]);
  });

  test('moving a source to a new golden record recomputes both records, moves its identifiers and builds the event from the final state', async () => {
    const { store, mpiId } = await seeded();
    const b = new ChangeBuilder(contextOver(store), 'unlink', actor);
    const src = (await b.source('urn:b|1'))!;
    const fresh = b.createGolden();
    await b.moveSource(src, fresh.mpiId, 'manual');
    b.patientEvent('unlinked', fresh.mpiId, { mpiId });
    const change = await b.build();

    const goldens = new Map(change.writes.goldens.map((g) => [g.mpiId, g]));
    expect(goldens.get(fresh.mpiId)).toMatchObject({ version: 1, status: 'active', sourceKeys: ['urn:b|1'] });
    expect(goldens.get(fresh.mpiId)?.patient.name).toEqual([{ family: 'Diop', given: ['Awa', 'Marie'] }]);
    expect(goldens.get(mpiId)?.sourceKeys).toEqual(['urn:a|1']);
    expect(goldens.get(mpiId)?.patient.name).toEqual([{ family: 'Diop', given: ['Awa'] }]);
    expect(change.writes.sources[0]).toMatchObject({ goldenId: fresh.mpiId, linkState: 'manual' });
    expect(change.writes.xrefPut).toContainEqual({ key: identifierKey({ system: 'urn:b', value: '1' }), mpiId: fresh.mpiId });
    expect(change.guards).toEqual(expect.arrayContaining([guardKey.golden(fresh.mpiId, 1), guardKey.golden(mpiId, goldens.get(mpiId)!.version)]));
    expect(change.leases).toEqual(expect.arrayContaining([leaseKey.golden(fresh.mpiId), leaseKey.golden(mpiId), leaseKey.identifier('urn:b|1')]));
    expect(change.events.map((e) => [e.type, e.key])).toEqual([['org.passerelle.patient.unlinked', fresh.mpiId]]);
    expect(change.history.filter((h) => h.kind === 'golden').map((h) => h.id).sort()).toEqual([fresh.mpiId, mpiId].sort());
  });

  test('a golden record left without sources becomes inactive', async () => {
    const { store } = await seeded();
    const { service } = makeService(store);
    const lone = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:c', value: '9' }], name: [{ family: 'Sow', given: ['Moussa'] }], birthDate: '1970-01-01' }), sourceSystem: 'c', actor });
    const b = new ChangeBuilder(contextOver(store), 'deactivate', actor);
    await b.moveSource((await b.source('urn:c|9'))!, null, null);
    const change = await b.build();
    expect(change.writes.goldens[0]).toMatchObject({ mpiId: lone.golden.mpiId, status: 'inactive', sourceKeys: [] });
    expect(change.writes.sources[0]).toMatchObject({ goldenId: null, linkState: null });
  });

  test('a not-a-match decision is kept on the source; extra leases are held; a review event is keyed by its MPI ID and carries its Task', async () => {
    const { store, mpiId } = await seeded();
    const b = new ChangeBuilder(contextOver(store), 'review-not-a-match', actor);
    const src = (await b.source('urn:a|1'))!;
    b.addNotAMatch(src, { sourceKey: 'urn:a|1', mpiId, otherSourceKeys: ['urn:b|1'], at: AT, by: actor });
    b.lease(leaseKey.blocking('fam:DIOP'));
    b.reviewEvent('resolved', mpiId, { id: 't-1', sourceId: src.id, candidates: [mpiId], resolution: { action: 'not-a-match' } });
    const change = await b.build();
    expect(change.writes.sources[0]?.notAMatch.map((n) => n.mpiId)).toEqual([mpiId]);
    expect(change.leases).toContain(leaseKey.blocking('fam:DIOP'));
    expect(change.events).toEqual([expect.objectContaining({ type: 'org.passerelle.review.resolved', key: mpiId, body: { kind: 'json', payload: expect.objectContaining({ resourceType: 'Bundle', type: 'message' }) } })]);
    const task = (change.events[0]?.body as unknown as { payload: { entry: Array<{ resource: unknown }> } }).payload.entry[1]?.resource;
    expect(task).toMatchObject({ resourceType: 'Task', id: 't-1', status: 'completed', focus: { reference: `Patient/${src.id}` }, for: { reference: `Patient/${mpiId}` }, output: [{ valueCode: 'not-a-match' }] });
  });
});
