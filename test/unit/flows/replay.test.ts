/**
 * Replay for a consumer that lost its store: from a snapshot (fresh events from the golden records)
 * or from the retained events, an empty consumer ends with exactly the MPI's identities.
 */
import { replayRequest } from '../../../src/cli/events';
import type { OutboxEvent } from '../../../src/core/types';
import { replayRetained, replaySnapshot } from '../../../src/flows/replay';
import { createMemoryRegistryStore } from '../../../src/registry/memory/memory-store';
import { IdentityMirror, identityDifferences, registryIdentities } from '../../helpers/identity-mirror';
import { runIdentityWorkload } from '../../helpers/identity-workload';
import { expectValidEvent } from '../../helpers/event-schema';
import { aPatient } from '../../helpers/patients';
import { actor, makeService } from '../registry/helpers';

jest.setTimeout(60000);

describe('replay', () => {
  test.each([11, 12, 13])('a snapshot since the beginning rebuilds every identity (seed %i)', async (seed) => {
    const { service, store } = makeService();
    await runIdentityWorkload(service, seed, 150);
    const mirror = new IdentityMirror();
    const published: OutboxEvent[] = [];
    const n = await replaySnapshot(service, { since: '1970-01-01T00:00:00.000Z' }, { instance: 'test', batchSize: 7, publish: async (events) => { published.push(...events); } });
    expect(n).toBe(published.length);
    for (const e of published) mirror.apply(e);
    expect(identityDifferences(await registryIdentities(store), mirror.patients)).toEqual([]);
    expect(new Set(published.map((e) => e.type))).toEqual(new Set(['org.passerelle.patient.updated']));
    expectValidEvent(published[0]!);
  });

  test('the retained events since the beginning rebuild every identity, with their first ce_id', async () => {
    const { service, store } = makeService();
    await runIdentityWorkload(service, 21, 150);
    const live = await store.outbox.pending(100_000);
    await store.outbox.markPublished(live.map((e) => e.id));
    const mirror = new IdentityMirror();
    const replayed: OutboxEvent[] = [];
    await replayRetained(store.outbox, { since: '1970-01-01T00:00:00.000Z' }, { pageSize: 5, publish: async (events) => { replayed.push(...events); } });
    expect(replayed.map((e) => e.id)).toEqual(live.map((e) => e.id));
    for (const e of replayed) mirror.apply(e);
    expect(identityDifferences(await registryIdentities(store), mirror.patients)).toEqual([]);
  });

  test('one MPI ID: its golden record with its sources; a merged one also brings its survivor', async () => {
    const { service } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    const c = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:c', value: '1' }], name: [{ family: 'Sow', given: ['Moussa'] }], birthDate: '1970-01-01', telecom: undefined, address: undefined }), sourceSystem: 'c', actor });
    await service.merge(a.golden.mpiId, c.golden.mpiId, actor);
    const events: OutboxEvent[] = [];
    await replaySnapshot(service, { mpiId: c.golden.mpiId }, { instance: 'test', publish: async (e) => { events.push(...e); } });
    expect(events.map((e) => e.key)).toEqual([a.golden.mpiId]);
    const mirror = new IdentityMirror();
    mirror.apply(events[0]!);
    expect(mirror.patients.get(c.golden.mpiId)).toMatchObject({ active: false, link: [{ type: 'replaced-by', other: { reference: `Patient/${a.golden.mpiId}` } }] });
    expect([...mirror.patients.keys()].sort()).toEqual([a.golden.mpiId, c.golden.mpiId, a.source.id, c.source.id].sort());
    const retained: OutboxEvent[] = [];
    await replayRetained(createMemoryRegistryStore().outbox, { mpiId: c.golden.mpiId }, { publish: async (e) => { retained.push(...e); } });
    expect(retained).toEqual([]);
  });

  test('the command line asks for exactly one scope and a known mode', () => {
    expect(replayRequest({ 'mpi-id': 'sn-dkr-26-9xq7lm2a' })).toEqual({ scope: { mpiId: 'SN-DKR-26-9XQ7LM2A' }, mode: 'snapshot', dryRun: false });
    expect(replayRequest({ since: '2026-11-01', topic: 'lab.rebuild', mode: 'retained', 'dry-run': true })).toEqual({ scope: { since: '2026-11-01T00:00:00.000Z' }, mode: 'retained', topic: 'lab.rebuild', dryRun: true });
    expect(() => replayRequest({})).toThrow('exactly one');
    expect(() => replayRequest({ 'mpi-id': 'X', since: '2026-01-01' })).toThrow('exactly one');
    expect(() => replayRequest({ since: 'yesterday' })).toThrow('ISO 8601');
    expect(() => replayRequest({ since: '2026-01-01', mode: 'all' })).toThrow('snapshot or retained');
  });
});
