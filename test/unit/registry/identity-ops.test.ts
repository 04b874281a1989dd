import { createMemoryRegistryStore } from '../../../src/registry/memory/memory-store';
import { fakeModel } from './fake-engine';
import { aPatient } from '../../helpers/patients';
import { actor, eventsByTopic, identityState, makeService } from './helpers';

describe('merge and unmerge', () => {
  test('unmerge restores the exact prior state; the merged MPI ID redirects meanwhile', async () => {
    const { service, store } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '1' }] }), sourceSystem: 'b', actor });
    const c = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:c', value: '1' }], name: [{ family: 'Sow', given: ['Moussa'] }] }), sourceSystem: 'c', actor });
    await service.addIdentifier(c.golden.mpiId, { system: 'urn:card', value: 'K9' }, actor);
    await service.patchGolden(c.golden.mpiId, { gender: 'male' }, actor);
    const ids = [a.golden.mpiId, c.golden.mpiId];
    const keys = ['urn:a|1', 'urn:b|1', 'urn:c|1'];
    const before = await identityState(store, ids, keys);

    const merged = await service.merge(a.golden.mpiId, c.golden.mpiId, actor, 'same person');
    expect(merged.sourceKeys).toEqual(keys);
    const redirect = await service.getGolden(c.golden.mpiId);
    expect(redirect).toMatchObject({ golden: { mpiId: a.golden.mpiId }, redirectedFrom: c.golden.mpiId });
    expect((await service.resolveIdentifier({ system: 'urn:card', value: 'K9' }))?.mpiId).toBe(a.golden.mpiId);

    const { survivor, restored } = await service.unmerge(c.golden.mpiId, actor);
    expect(survivor.mpiId).toBe(a.golden.mpiId);
    expect(restored.status).toBe('active');
    expect(await identityState(store, ids, keys)).toEqual(before);
    await expect(service.unmerge(c.golden.mpiId, actor)).rejects.toMatchObject({ code: 'not-found' });
  });

  test('the merge event is PMIR-shaped: retired Patient inactive, replaced-by the survivor', async () => {
    const { service, store } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    const c = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:c', value: '1' }], name: [{ family: 'Sow', given: ['Moussa'] }] }), sourceSystem: 'c', actor });
    await service.merge(a.golden.mpiId, c.golden.mpiId, actor);
    const ev = (await store.outbox.pending(100)).find((e) => e.type === 'org.passerelle.patient.merged');
    expect(ev).toMatchObject({ topic: 'patient', key: a.golden.mpiId, subject: a.golden.mpiId });
    const bundle = ev?.payload as { type: string; entry: Array<{ resource: { resourceType: string; eventUri?: string; type?: string; entry?: Array<{ resource: { id: string; active?: boolean; link?: Array<{ type: string; other: { reference: string } }> } }> } }> };
    expect(bundle.type).toBe('message');
    expect(bundle.entry[0]?.resource).toMatchObject({ resourceType: 'MessageHeader', eventUri: 'urn:ihe:iti:pmir:2019:patient-feed' });
    const history = bundle.entry[1]?.resource;
    expect(history?.type).toBe('history');
    const retired = history?.entry?.find((e) => e.resource.id === c.golden.mpiId)?.resource;
    expect(retired?.active).toBe(false);
    expect(retired?.link).toContainEqual({ type: 'replaced-by', other: { reference: `Patient/${a.golden.mpiId}` } });
  });
});

describe('outbox', () => {
  test('each identity change writes exactly one patient event; review tasks go to the review topic', async () => {
    const { service, store } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor }); // created
    await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '1' }] }), sourceSystem: 'b', actor }); // linked
    const r = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:c', value: '1' }], name: [{ family: 'Diop', given: ['Fatou'] }] }), sourceSystem: 'c', actor }); // created + review opened
    await service.unlink('urn:b|1', actor); // unlinked
    await service.link('urn:b|1', a.golden.mpiId, actor); // linked
    await service.merge(a.golden.mpiId, r.golden.mpiId, actor); // merged
    await service.unmerge(r.golden.mpiId, actor); // unmerged
    await service.deactivateSource('urn:c|1', actor); // deactivated
    const ev = await eventsByTopic(store);
    expect(ev.patient?.map((t) => t.replace('org.passerelle.patient.', ''))).toEqual(['created', 'linked', 'created', 'unlinked', 'linked', 'merged', 'unmerged', 'deactivated']);
    expect(ev.review).toEqual(['org.passerelle.review.opened']);
    const pending = await store.outbox.pending(100);
    await store.outbox.markPublished(pending.slice(0, 3).map((e) => e.id));
    expect((await store.outbox.pending(100)).map((e) => e.id)).toEqual(pending.slice(3).map((e) => e.id));
  });

  test('a change committed but not applied (crash) is applied by recoverPending', async () => {
    const store = createMemoryRegistryStore();
    const realWrite = store.records.write;
    store.records.write = async () => {
      throw new Error('crash');
    };
    const { service } = makeService(store, { recoveryGraceMs: 0 });
    await expect(service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor })).rejects.toThrow('crash');
    expect(await store.records.source('urn:a|1')).toBeNull();
    expect(await store.outbox.pending(10)).toEqual([]);
    store.records.write = realWrite;
    expect(await service.recoverPending({ graceMs: 0 })).toBe(1);
    expect((await store.records.source('urn:a|1'))?.goldenId).toBeTruthy();
    expect((await store.outbox.pending(10)).map((e) => e.type)).toEqual(['org.passerelle.patient.created']);
  });
});

describe('reviews', () => {
  async function withTask(): Promise<{ service: ReturnType<typeof makeService>['service']; taskId: string; a: string; b: string }> {
    const { service } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    const b = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '2' }], name: [{ family: 'Diop', given: ['Fatou'] }] }), sourceSystem: 'b', actor });
    return { service, taskId: b.reviewTaskId as string, a: a.golden.mpiId, b: b.golden.mpiId };
  }

  test('of two concurrent resolutions exactly one wins, the other gets conflict', async () => {
    const { service, taskId, a } = await withTask();
    const results = await Promise.allSettled([
      service.resolveReview(taskId, { action: 'link', mpiId: a, expectedVersion: 1 }, actor),
      service.resolveReview(taskId, { action: 'not-a-match', expectedVersion: 1 }, actor),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect((rejected as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict' });
  });

  test('not-a-match is remembered: the engine never links the pair afterwards', async () => {
    const { service, taskId, a } = await withTask();
    const task = await service.resolveReview(taskId, { action: 'not-a-match' }, actor);
    expect(task.state).toBe('resolved');
    // Now the source is re-sent identical to golden a: it would auto-link, but the steward said no.
    const upd = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '2' }] }), sourceSystem: 'b', actor });
    expect(upd.golden.mpiId).not.toBe(a);
  });

  test('link resolution links the source; the task survives relinks (it references the source)', async () => {
    const { service, taskId, a } = await withTask();
    await service.unlink('urn:b|2', actor);
    const t = await service.resolveReview(taskId, { action: 'link', mpiId: a }, actor);
    expect(t.resolution).toMatchObject({ action: 'link', mpiId: a });
    expect((await service.getGolden(a))?.golden.sourceKeys).toContain('urn:b|2');
  });

  test('merge resolution merges the source golden record into the candidate', async () => {
    const { service, taskId, a, b } = await withTask();
    await service.resolveReview(taskId, { action: 'merge', mpiId: a }, actor);
    expect((await service.getGolden(b))?.redirectedFrom).toBe(b);
  });
});

describe('manual operations', () => {
  test('steward patch wins over survivorship and survives relinks', async () => {
    const { service } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    const g = await service.patchGolden(a.golden.mpiId, { birthDate: '1990-05-13' }, actor, a.golden.version);
    expect(g.patient.birthDate).toBe('1990-05-13');
    await expect(service.patchGolden(a.golden.mpiId, { gender: 'male' }, actor, 1)).rejects.toMatchObject({ code: 'precondition-failed' });
    const b = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '1' }] }), sourceSystem: 'b', actor });
    expect(b.golden.patient.birthDate).toBe('1990-05-13');
  });

  test('an identifier held by another golden record cannot be added (conflict)', async () => {
    const { service } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    const c = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:c', value: '1' }], name: [{ family: 'Sow', given: ['Moussa'] }] }), sourceSystem: 'c', actor });
    await expect(service.addIdentifier(c.golden.mpiId, { system: 'urn:a', value: '1' }, actor)).rejects.toMatchObject({ code: 'conflict' });
    expect((await service.resolveIdentifier({ system: 'urn:a', value: '1' }))?.mpiId).toBe(a.golden.mpiId);
  });

  test('history lists golden versions and link changes', async () => {
    const { service } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '1' }] }), sourceSystem: 'b', actor });
    const h = await service.history('golden', a.golden.mpiId);
    expect(h.map((e) => [e.version, e.operation])).toEqual([[1, 'create'], [2, 'create']]);
    expect(h[1]?.changedFields).toEqual(['identifier', 'link']);
    const all = await service.typeHistory({ offset: 0, count: 100 });
    expect(all.total).toBe(4);
  });
});

describe('re-link job', () => {
  test('dry run lists changes without writing; apply moves automatic links only', async () => {
    const { service, store } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '1' }], name: [{ family: 'Diop', given: ['Awa'] }] }), sourceSystem: 'b', actor });
    await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:m', value: '1' }] }), sourceSystem: 'm', actor });
    await service.link('urn:m|1', a.golden.mpiId, actor); // manual: never touched
    const progress: number[] = [];
    const events = (await store.outbox.pending(1000)).length;
    const dry = await service.relink({ dryRun: true, model: fakeModel('strict'), actor, onProgress: (p) => progress.push(p.done) });
    expect(dry).toEqual([
      { sourceKey: 'urn:a|1', from: a.golden.mpiId, to: 'new' },
      { sourceKey: 'urn:b|1', from: a.golden.mpiId, to: 'new' },
    ]);
    expect(progress).toEqual([3]);
    expect((await store.outbox.pending(1000)).length).toBe(events);
    const applied = await service.relink({ dryRun: false, model: fakeModel('strict'), actor });
    expect(applied).toHaveLength(2);
    expect((await service.getSource('urn:m|1'))?.goldenId).toBe(a.golden.mpiId);
    expect((await service.getSource('urn:a|1'))?.goldenId).not.toBe(a.golden.mpiId);
  });
});

describe('concurrency (memory twin)', () => {
  test('20 concurrent registrations of one person make one golden record', async () => {
    const { service } = makeService();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => service.registerSource({ patient: aPatient({ identifier: [{ system: `urn:sys${i}`, value: 'X' }] }), sourceSystem: `s${i}`, actor })));
    expect(new Set(results.map((r) => r.golden.mpiId)).size).toBe(1);
  });
});
