/**
 * ChangeBuilder (src/registry/change-builder.ts), through its public methods: an operation stages
 * records and events; `build()` derives everything else — versions and guards, survivorship of every
 * touched golden record, cross-reference and blocking-index diffs, history, the events — so that no
 * operation can forget any of it.
 */
import { ChangeBuilder } from '../../../src/registry/change-builder';
import { createContext } from '../../../src/registry/context';
import type { RegistryContext } from '../../../src/registry/context';
import { createMemoryRegistryStore } from '../../../src/registry/memory/memory-store';
import type { Change, ChangeOp, RegistryStore } from '../../../src/registry/store';
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

const opsOf = <K extends ChangeOp['op']>(change: Change, kind: K): Array<Extract<ChangeOp, { op: K }>> =>
  change.ops.filter((o): o is Extract<ChangeOp, { op: K }> => o.op === kind);

describe('ChangeBuilder', () => {
  test('a builder with nothing staged is empty and builds a change without ops or events', async () => {
    const b = new ChangeBuilder(contextOver(createMemoryRegistryStore()), 'noop', actor);
    expect(b.empty).toBe(true);
    const change = await b.build();
    expect(change).toMatchObject({ id: 'id-1', at: AT, operation: 'noop', actor, guards: [], ops: [], events: [] });
  });

  test('source() hands out working copies: edits reach the store only once staged and built', async () => {
    const { store } = await seeded();
    const b = new ChangeBuilder(contextOver(store), 'edit', actor);
    const copy = await b.source('urn:a|1');
    copy!.patient.gender = 'other';
    expect((await b.source('urn:a|1'))?.patient.gender).toBe('female');
    expect((await store.sources.get('urn:a|1'))?.patient.gender).toBe('female');
    b.stageSource(copy!);
    expect(b.empty).toBe(false);
    expect((await b.source('urn:a|1'))?.patient.gender).toBe('other');
  });

  test('build() versions a staged source, guards that version and records what changed in its history', async () => {
    const { store } = await seeded();
    const before = await store.sources.get('urn:a|1');
    const b = new ChangeBuilder(contextOver(store), 'edit', actor);
    const src = (await b.source('urn:a|1'))!;
    src.patient.telecom = [{ system: 'phone', value: '+221770000000' }];
    b.stageSource(src);
    const change = await b.build();
    const written = opsOf(change, 'source')[0]!.doc;
    expect(written.version).toBe(before!.version + 1);
    expect(written.patient.meta).toMatchObject({ versionId: String(written.version), lastUpdated: AT });
    expect(change.guards).toContain(`s|urn:a|1|${written.version}`);
    expect(opsOf(change, 'history').map((h) => [h.entry.kind, h.entry.id, h.entry.version, h.entry.changedFields])).toEqual([['source', written.id, written.version, ['telecom']]]);
  });

  test('moving a source to a new golden record recomputes both records, moves its identifiers and emits the event built from the final state', async () => {
    const { store, mpiId } = await seeded();
    const b = new ChangeBuilder(contextOver(store), 'unlink', actor);
    const src = (await b.source('urn:b|1'))!;
    const fresh = b.createGolden();
    await b.moveSource(src, fresh.mpiId, 'manual');
    b.patientEvent('unlinked', fresh.mpiId, { mpiId });
    const change = await b.build();

    const goldens = new Map(opsOf(change, 'golden').map((o) => [o.doc.mpiId, o.doc]));
    expect(goldens.get(fresh.mpiId)).toMatchObject({ version: 1, status: 'active', sourceKeys: ['urn:b|1'] });
    expect(goldens.get(fresh.mpiId)?.patient.name).toEqual([{ family: 'Diop', given: ['Awa', 'Marie'] }]);
    expect(goldens.get(mpiId)?.sourceKeys).toEqual(['urn:a|1']);
    expect(goldens.get(mpiId)?.patient.name).toEqual([{ family: 'Diop', given: ['Awa'] }]);
    expect(opsOf(change, 'source')[0]?.doc).toMatchObject({ goldenId: fresh.mpiId, linkState: 'manual' });
    expect(opsOf(change, 'xref.put').map((o) => o.entry)).toContainEqual({ system: 'urn:b', value: '1', mpiId: fresh.mpiId });
    expect(change.guards).toEqual(expect.arrayContaining([`g|${fresh.mpiId}|1`, `g|${mpiId}|${goldens.get(mpiId)!.version}`]));
    expect(change.events.map((e) => [e.type, e.key])).toEqual([['org.passerelle.patient.unlinked', fresh.mpiId]]);
    expect(JSON.stringify(change.events[0]?.payload)).toContain('Marie');
    // Record documents come last: once a new version is visible, the rest of its change is applied.
    const firstRecord = change.ops.findIndex((o) => o.op === 'source' || o.op === 'golden');
    expect(change.ops.slice(firstRecord).every((o) => o.op === 'source' || o.op === 'golden')).toBe(true);
  });

  test('a golden record left without sources becomes inactive', async () => {
    const { store } = await seeded();
    const { service } = makeService(store);
    const lone = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:c', value: '9' }], name: [{ family: 'Sow', given: ['Moussa'] }], birthDate: '1970-01-01' }), sourceSystem: 'c', actor });
    const b = new ChangeBuilder(contextOver(store), 'deactivate', actor);
    const src = (await b.source('urn:c|9'))!;
    await b.moveSource(src, null, null);
    const change = await b.build();
    expect(opsOf(change, 'golden')[0]?.doc).toMatchObject({ mpiId: lone.golden.mpiId, status: 'inactive', sourceKeys: [] });
    expect(opsOf(change, 'source')[0]?.doc).toMatchObject({ goldenId: null, linkState: null });
  });

  test('an extra op is carried with its guard; a review event is keyed by its MPI ID and carries the payload given', async () => {
    const { store, mpiId } = await seeded();
    const b = new ChangeBuilder(contextOver(store), 'not-a-match', actor);
    b.addOp({ op: 'notAMatch', doc: { sourceKey: 'urn:a|1', mpiId, otherSourceKeys: ['urn:b|1'], at: AT, by: actor } }, `nam|urn:a|1|${mpiId}`);
    b.reviewEvent('resolved', mpiId, { task: 't-1', action: 'not-a-match' });
    const change = await b.build();
    expect(change.guards).toEqual([`nam|urn:a|1|${mpiId}`]);
    expect(opsOf(change, 'notAMatch')).toHaveLength(1);
    expect(change.events).toEqual([expect.objectContaining({ type: 'org.passerelle.review.resolved', key: mpiId, payload: { task: 't-1', action: 'not-a-match' } })]);
  });
});
