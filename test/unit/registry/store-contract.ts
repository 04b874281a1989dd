/**
 * The shared contract of RegistryStore implementations: run against the memory twin (unit) and
 * against MongoDB (integration, on the local stand-in) so the twin cannot drift from the real adapter.
 */
import type { Change, RegistryStore, RecordWrites, StoredGolden, StoredReview, StoredSource } from '../../../src/registry/store';
import type { ReviewFilter } from '../../../src/registry/api';
import { toSearchFields } from '../../../src/registry/search-fields';
import { lookupFingerprint } from '../../../src/registry/lookup-query';

const at = '2026-01-01T00:00:00.000Z';
const actor = { clientId: 'c' };
const features = { given: [], family: [], givenPhonetic: [], familyPhonetic: [], phones: [], nationalIds: [], otherIds: [], rejected: [] };

function source(key: string, version: number, family = 'Diop', keys: string[] = [`i:${key}`], rf = 'AF5'): StoredSource {
  const [system, value] = key.split('|') as [string, string];
  const patient = { resourceType: 'Patient' as const, id: `id-${key}`, identifier: [{ system, value }], name: [{ family, given: ['Awa'] }], birthDate: '1990-05-12' };
  return {
    key, id: `id-${key}`, system, value, sourceSystem: 's', patient, received: { nested: [[1, 2], [3]], 'a.b': 1 }, features,
    goldenId: 'G1', linkState: 'auto', active: true, version, createdAt: at, updatedAt: at, receivedAt: at, search: toSearchFields(patient, `id-${key}`, true, at),
    keys, rf, contentHash: 'h', notAMatch: [], seq: version,
  };
}

export function golden(mpiId: string, version: number): StoredGolden {
  const patient = { resourceType: 'Patient' as const, id: mpiId, name: [{ family: 'Ndèye' }] };
  return { mpiId, patient, sourceKeys: [], status: 'active', version, createdAt: at, updatedAt: at, search: toSearchFields(patient, mpiId, true, at), extraIdentifiers: [], members: [], xrefKeys: [], seq: version };
}

const noWrites = (): RecordWrites => ({ sources: [], goldens: [], xrefPut: [], xrefDel: [] });

export function change(id: string, o: Partial<Change> = {}): Change {
  return { id, seq: 1, at, operation: 'x', actor, leases: [], guards: [], writes: noWrites(), reviews: [], merges: [], history: [], events: [], applied: false, unpublished: [], ...o };
}

export function pmirChange(id: string, seq: number, events: string[]): Change {
  const history = [{ kind: 'golden' as const, id: 'G1', ref: 'golden|G1', version: seq, changedFields: ['name'], patient: { resourceType: 'Patient' as const, id: 'G1' }, status: 'active' as const }];
  const evs = events.map((e) => ({ id: e, topic: 'patient' as const, key: 'G1', type: 'org.passerelle.patient.updated', subject: 'G1', time: at, body: { kind: 'pmir' as const, source: 'urn:passerelle:t', golden: 0, sources: [] } }));
  return change(id, { seq, history, events: evs, unpublished: events, guards: [`g|G1|${seq}`] });
}

/**
 * Register the contract tests.
 * @param name - implementation name
 * @param make - creates a fresh, empty store; returns it and a cleanup function
 */
export function registryStoreContract(name: string, make: () => Promise<{ store: RegistryStore; cleanup: () => Promise<void> }>): void {
  describe(`RegistryStore contract: ${name}`, () => {
    let store: RegistryStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await make());
    });
    afterEach(async () => cleanup());
    const write = (w: Partial<RecordWrites>): Promise<void> => store.records.write({ ...noWrites(), ...w });

    test('records are written only if newer; received payloads round-trip', async () => {
      await write({ sources: [source('urn:a|1', 2, 'Two')] });
      await write({ sources: [source('urn:a|1', 1, 'One')] });
      const s = await store.records.source('urn:a|1');
      expect(s?.patient.name?.[0]?.family).toBe('Two');
      expect(s?.received).toEqual({ nested: [[1, 2], [3]], 'a.b': 1 });
      expect((await store.records.sourceById('id-urn:a|1'))?.key).toBe('urn:a|1');
      expect((await store.records.byIdentifier({ value: '1' }, 10)).map((x) => x.key)).toEqual(['urn:a|1']);
      expect(await store.records.byIdentifier({ system: 'urn:b' }, 10)).toEqual([]);
      await write({ goldens: [golden('G1', 3)] });
      await write({ goldens: [golden('G1', 2)] });
      expect((await store.records.golden('G1'))?.version).toBe(3);
      expect((await store.records.goldens(['G1', 'nope'])).map((g) => g.mpiId)).toEqual(['G1']);
      expect(await store.records.source('G1')).toBeNull();
      await write({ sources: [source('urn:b|1', 1)] });
      expect((await store.records.page(null, 1)).map((x) => x.key)).toEqual(['urn:a|1']);
      expect((await store.records.page('urn:a|1', 5)).map((x) => x.key)).toEqual(['urn:b|1']);
      expect(await store.records.countSources()).toBe(2);
    });

    test('one lookup finds sources by key (refined ones by their code) and cross-reference entries', async () => {
      await write({
        sources: [source('urn:a|1', 1, 'Diop', ['b:fam:DIOP', 'i:urn:a|1'], 'AF5'), source('urn:a|2', 1, 'Diop', ['b:fam:DIOP', 'i:urn:a|2'], 'BM1'), source('urn:a|3', 1, 'Sarr', ['b:fam:SARR'], 'AF5')],
        xrefPut: [{ key: 'urn:nid|9', mpiId: 'G1' }],
      });
      const r = await store.records.lookup({ keys: ['b:fam:DIOP', 'x:urn:nid|9', 'x:urn:nid|8'] });
      expect(r.sources.map((s) => s.key).sort()).toEqual(['urn:a|1', 'urn:a|2']);
      expect(r.xref).toEqual([{ key: 'urn:nid|9', mpiId: 'G1' }]);
      const refined = await store.records.lookup({ keys: ['i:urn:a|2'], refined: [{ keys: ['b:fam:DIOP', 'b:fam:SARR'], rf: 'AF5' }] });
      expect(refined.sources.map((s) => s.key).sort()).toEqual(['urn:a|1', 'urn:a|2', 'urn:a|3']);
      expect(refined.sources.find((s) => s.key === 'urn:a|1')).toMatchObject({ features, goldenId: 'G1', keys: ['b:fam:DIOP', 'i:urn:a|1'] });
      // A store that reads fingerprints alone for the commit check reads what the lookup would.
      for (const q of [{ keys: ['b:fam:DIOP', 'x:urn:nid|9', 'x:urn:nid|8'] }, { keys: ['i:urn:a|2'], refined: [{ keys: ['b:fam:DIOP', 'b:fam:SARR'], rf: 'AF5' }] }]) {
        if (store.records.lookupFingerprints) expect((await store.records.lookupFingerprints(q)).sort()).toEqual(lookupFingerprint(await store.records.lookup(q)).sort());
      }
      // A new version filed under other keys leaves its old ones.
      await write({ sources: [source('urn:a|1', 2, 'Ba', ['b:fam:BA'])] });
      expect((await store.records.lookup({ keys: ['b:fam:DIOP'] })).sources.map((s) => s.key)).toEqual(['urn:a|2']);
      // ... and its old refined ones.
      expect((await store.records.lookup({ keys: [], refined: [{ keys: ['b:fam:DIOP'], rf: 'AF5' }] })).sources).toEqual([]);
    });

    test('cross-reference entries move, and are removed only from the holder named', async () => {
      await write({ xrefPut: [{ key: 'http://x.org/id|V.1', mpiId: 'G1' }] });
      await write({ xrefPut: [{ key: 'http://x.org/id|V.1', mpiId: 'G2' }] });
      await write({ xrefDel: [{ key: 'http://x.org/id|V.1', mpiId: 'G1' }] });
      expect(await store.records.xref(['http://x.org/id|V.1', 'nope|1'])).toEqual([{ key: 'http://x.org/id|V.1', mpiId: 'G2' }]);
      await write({ xrefDel: [{ key: 'http://x.org/id|V.1', mpiId: 'G2' }] });
      expect(await store.records.xref(['http://x.org/id|V.1'])).toEqual([]);
    });

    test('commit: a held lease or a taken guard refuses the change, leaving nothing behind', async () => {
      await store.changes.commit(change('c1', { leases: ['b:k1', 'i:n|1'], guards: ['g|G1|1'] }));
      await expect(store.changes.commit(change('c2', { leases: ['b:k2', 'i:n|1'] }))).rejects.toMatchObject({ code: 'conflict', details: { conflict: { leases: ['i:n|1'], guards: [] } } });
      await expect(store.changes.commit(change('c3', { leases: ['b:k3'], guards: ['g|G1|1'] }))).rejects.toMatchObject({ code: 'conflict', details: { conflict: { leases: [], guards: ['g|G1|1'] } } });
      expect(await store.changes.get('c3')).toBeNull();
      expect(await store.changes.leaseHolder('b:k3')).toBeNull();
      expect(await store.changes.leaseHolder('i:n|1')).toMatchObject({ changeId: 'c1' });
      expect((await store.changes.unfinished(10)).map((c) => c.id)).toEqual(['c1']);
      await store.changes.finish('c1');
      expect(await store.changes.leaseHolder('i:n|1')).toBeNull();
      expect(await store.changes.unfinished(10)).toEqual([]);
      await store.changes.commit(change('c4', { leases: ['i:n|1'], guards: ['g|G1|2'] }));
      // A finished change's guards still hold: its record versions cannot be produced twice.
      await expect(store.changes.commit(change('c5', { guards: ['g|G1|1'] }))).rejects.toMatchObject({ code: 'conflict' });
      await store.changes.abort('c4');
      expect(await store.changes.get('c4')).toBeNull();
      expect(await store.changes.leaseHolder('i:n|1')).toBeNull();
      await store.changes.commit(change('c6', { leases: ['i:n|1'], guards: ['g|G1|2'] }));
    });

    test('outbox: events of finished changes in seq order, payloads built from their history', async () => {
      await store.changes.commit(pmirChange('c2', 20, ['e2']));
      await store.changes.commit(pmirChange('c1', 10, ['e1', 'e1b']));
      expect(await store.outbox.pending(10)).toEqual([]);
      await store.changes.finish('c2');
      await store.changes.finish('c1');
      const pending = await store.outbox.pending(10);
      expect(pending.map((e) => e.id)).toEqual(['e1', 'e1b', 'e2']);
      expect(pending[0]).toMatchObject({ topic: 'patient', key: 'G1', payload: { resourceType: 'Bundle', type: 'message' } });
      await store.outbox.markPublished(['e1', 'e2']);
      expect((await store.outbox.pending(10)).map((e) => e.id)).toEqual(['e1b']);
      await store.outbox.markPublished(['e1b']);
      expect(await store.outbox.pending(10)).toEqual([]);
    });

    test('history: every version of a record from the changes that wrote it', async () => {
      await store.changes.commit(pmirChange('c1', 10, []));
      await store.changes.commit({ ...pmirChange('c2', 20, []), at: '2026-01-02T00:00:00.000Z' });
      expect((await store.changes.history('golden', 'G1')).map((e) => e.version)).toEqual([10, 20]);
      expect(await store.changes.history('golden', 'G2')).toEqual([]);
      expect((await store.changes.allHistory({ offset: 0, count: 1 })).items[0]?.version).toBe(20);
      expect((await store.changes.allHistory({ since: '2026-01-02', offset: 0, count: 5 })).total).toBe(1);
    });

    test('history since an instant: oldest first, only as many as asked, the instant included', async () => {
      await store.changes.commit({ ...pmirChange('c3', 30, []), at: '2026-01-03T00:00:00.000Z' });
      await store.changes.commit({ ...pmirChange('c1', 10, []), at: '2026-01-01T00:00:00.000Z' });
      await store.changes.commit({ ...pmirChange('c2', 20, []), at: '2026-01-02T00:00:00.000Z' });
      expect((await store.changes.historySince({ count: 10 })).map((e) => e.version)).toEqual([10, 20, 30]);
      expect((await store.changes.historySince({ count: 2 })).map((e) => e.version)).toEqual([10, 20]);
      expect((await store.changes.historySince({ since: '2026-01-02T00:00:00.000Z', count: 10 })).map((e) => e.version)).toEqual([20, 30]);
      expect(await store.changes.historySince({ since: '2026-01-04T00:00:00.000Z', count: 10 })).toEqual([]);
      expect(await store.changes.historySince({ count: 0 })).toEqual([]);
    });

    test('reviews, tokens, merges, models', async () => {
      const review = { id: 'r1', sourceKey: 'urn:a|1', sourceSystem: 's', candidates: [], state: 'open' as const, version: 1, createdAt: at, updatedAt: at };
      await store.reviews.put([review]);
      await store.reviews.put([{ ...review, state: 'resolved', version: 2 }]);
      await store.reviews.put([{ ...review, version: 1 }]);
      expect((await store.reviews.get('r1'))?.state).toBe('resolved');
      expect((await store.reviews.list({ state: 'resolved', offset: 0, count: 10 })).total).toBe(1);
      expect((await store.reviews.list({ state: 'open', offset: 0, count: 10 })).total).toBe(0);
      expect(await store.reviews.bySource('urn:a|1')).toHaveLength(1);
      await store.tokens.insert({ hash: 'h1', mpiId: 'G1', issuedAt: at, issuedBy: actor });
      expect(await store.tokens.revoke('h1', at)).toBe(true);
      expect(await store.tokens.revoke('h2', at)).toBe(false);
      expect((await store.tokens.get('h1'))?.revokedAt).toBe(at);
      const merge = { id: 'm1', survivorId: 'G1', retiredId: 'G2', movedSources: [], survivorBefore: golden('G1', 1), retiredBefore: golden('G2', 1), at, by: actor, version: 1 };
      await store.merges.put([merge]);
      expect((await store.merges.activeFor('G2'))?.id).toBe('m1');
      expect((await store.merges.intoSurvivor('G1')).map((m) => m.id)).toEqual(['m1']);
      await store.merges.put([{ ...merge, undone: { at, by: actor }, version: 2 }]);
      expect(await store.merges.activeFor('G2')).toBeNull();
      expect(await store.merges.intoSurvivor('G1')).toEqual([]);
      const model = { version: 'v1', createdAt: at, trainedBy: { method: 'em' as const }, lambda: 0.01, fields: {}, termFrequencies: { family: { 'ST. JOHN': 0.1 } } };
      await store.models.put({ version: 'v1', model, createdAt: at, active: false });
      expect(await store.models.active()).toBeNull();
      await store.models.activate('v1');
      expect((await store.models.active())?.model).toEqual(model);
      await expect(store.models.activate('nope')).rejects.toMatchObject({ code: 'not-found' });
    });

    test('review queue: filter by source system, age and best-candidate score band; distinct source systems', async () => {
      const task = (id: string, sourceSystem: string, createdAt: string, scores: number[], state: 'open' | 'resolved' = 'open'): StoredReview => ({
        id, sourceKey: `urn:${id}|1`, sourceSystem, state, version: 1, createdAt, updatedAt: createdAt,
        candidates: scores.map((score, i) => ({ mpiId: `G${i}`, score, weight: 1, explanation: [] })),
      });
      await store.reviews.put([
        task('t1', 'dhis2', '2026-01-01T00:00:00.000Z', [0.9, 0.6]), task('t2', 'openmrs', '2026-01-02T00:00:00.000Z', [0.7]),
        task('t3', 'dhis2', '2026-01-03T00:00:00.000Z', [0.55, 0.62]), task('t4', 'ihris', '2026-01-04T00:00:00.000Z', [0.99], 'resolved'),
      ]);
      const ids = async (f: Partial<ReviewFilter>): Promise<string[]> => (await store.reviews.list({ state: 'open', offset: 0, count: 10, ...f })).items.map((r) => r.id);
      expect(await ids({})).toEqual(['t1', 't2', 't3']);
      expect(await ids({ sourceSystem: 'dhis2' })).toEqual(['t1', 't3']);
      expect(await ids({ olderThan: '2026-01-02T00:00:00.000Z' })).toEqual(['t1']);
      expect(await ids({ minScore: 0.85 })).toEqual(['t1']);
      expect(await ids({ minScore: 0.65, maxScore: 0.85 })).toEqual(['t2']);
      expect(await ids({ maxScore: 0.65 })).toEqual(['t3']);
      expect((await store.reviews.list({ state: 'open', minScore: 0.6, maxScore: 0.8, offset: 0, count: 1 })).total).toBe(2);
      expect(await store.reviews.sourceSystems('open')).toEqual(['dhis2', 'openmrs']);
      expect(await store.reviews.sourceSystems('resolved')).toEqual(['ihris']);
    });

    test('a prefix search is met by one name, not by one name above the prefix and another below it', async () => {
      const twoNames = source('urn:b|2', 1, 'Sarr');
      twoNames.search = toSearchFields({ ...twoNames.patient, name: [{ family: 'Ndiaye' }, { family: 'Sarr' }] }, twoNames.id, true, at);
      await write({ sources: [twoNames] });
      const q = { offset: 0, count: 10, kind: 'source' as const };
      // "NDIAYE" < "NE" < "SARR": both bounds of "starts with NE" are met, by two different names.
      expect((await store.records.search({ ...q, family: [{ value: 'ne', match: 'prefix' }] })).total).toBe(0);
      expect((await store.records.search({ ...q, family: [{ value: 'sa', match: 'prefix' }] })).items.map((i) => i.patient.id)).toEqual(['id-urn:b|2']);
    });

    test('typed search over normalised fields', async () => {
      await write({ goldens: [golden('G1', 1)], sources: [source('urn:a|1', 1, 'Ndiaye')] });
      const q = { offset: 0, count: 10 };
      const search = store.records.search;
      expect((await search({ ...q, kind: 'any', family: [{ value: 'nd', match: 'prefix' }] })).total).toBe(2);
      expect((await search({ ...q, kind: 'golden', family: [{ value: 'ndeye', match: 'exact' }] })).total).toBe(1);
      expect((await search({ ...q, kind: 'any', family: [{ value: 'N.*', match: 'prefix' }] })).total).toBe(0);
      expect((await search({ ...q, kind: 'golden', family: [{ value: 'zz', or: ['ndey'], match: 'prefix' }] })).total).toBe(1);
      expect((await search({ ...q, kind: 'golden', family: [{ value: 'zz', or: ['yy'], match: 'prefix' }] })).total).toBe(0);
      expect((await search({ ...q, kind: 'source', birthDate: [{ prefix: 'eq', value: '1990' }] })).total).toBe(1);
      expect((await search({ ...q, kind: 'source', birthDate: [{ prefix: 'gt', value: '1990-05' }] })).total).toBe(0);
      expect((await search({ ...q, kind: 'source', identifiers: [{ system: 'urn:a', value: '1' }] })).items[0]?.kind).toBe('source');
      expect((await search({ ...q, kind: 'source', identifiers: [{ system: 'urn:a', value: '2' }] })).total).toBe(0);
      const paged = await search({ kind: 'any', offset: 1, count: 1, sort: [{ field: '_id', desc: false }] });
      expect(paged).toMatchObject({ total: 2, items: [{ kind: 'source' }] });
      expect((await search({ ...q, kind: 'any', lastUpdatedLe: at })).total).toBe(2);
      expect((await search({ ...q, kind: 'any', lastUpdatedLe: '2025-12-31T23:59:59.999Z' })).total).toBe(0);
      const later = '2026-01-02T00:00:00.000Z';
      const updated = source('urn:a|1', 2, 'Ndiaye');
      await write({ sources: [{ ...updated, updatedAt: later, search: { ...updated.search, lastUpdated: later } }] });
      expect((await search({ ...q, kind: 'any', family: [{ value: 'nd', match: 'prefix' }], lastUpdatedLe: at })).items.map((i) => i.kind)).toEqual(['golden']);
    });
  });
}
