/**
 * The shared contract of RegistryStore implementations: run against the memory twin (unit) and
 * against MongoDB/FerretDB (integration) so the twin cannot drift from the real adapter.
 */
import type { RegistryStore, StoredGolden, StoredReview, StoredSource } from '../../../src/registry/store';
import type { ReviewFilter } from '../../../src/registry/ports';
import type { OutboxEvent } from '../../../src/core/types';
import { toSearchFields } from '../../../src/registry/search-fields';

const at = '2026-01-01T00:00:00.000Z';
const actor = { clientId: 'c' };

function source(key: string, version: number, family = 'Diop'): StoredSource {
  const patient = { resourceType: 'Patient' as const, id: `id-${key}`, identifier: [{ system: key.split('|')[0] as string, value: key.split('|')[1] as string }], name: [{ family, given: ['Awa'] }], birthDate: '1990-05-12' };
  return {
    key, id: `id-${key}`, system: key.split('|')[0] as string, value: key.split('|')[1] as string, sourceSystem: 's', patient,
    received: { nested: [[1, 2], [3]], 'a.b': 1 },
    features: { given: [], family: [], givenPhonetic: [], familyPhonetic: [], phones: [], nationalIds: [], otherIds: [], rejected: [] },
    goldenId: 'G1', linkState: 'auto', active: true, version, createdAt: at, updatedAt: at, receivedAt: at, search: toSearchFields(patient, `id-${key}`, true, at),
  };
}

function golden(mpiId: string, version: number): StoredGolden {
  const patient = { resourceType: 'Patient' as const, id: mpiId, name: [{ family: 'Ndèye' }] };
  return { mpiId, patient, sourceKeys: [], status: 'active', version, createdAt: at, updatedAt: at, search: toSearchFields(patient, mpiId, true, at), extraIdentifiers: [] };
}

function event(id: string, key: string): OutboxEvent {
  return { id, topic: 'patient', key, type: 'org.passerelle.patient.created', subject: key, time: at, payload: { resourceType: 'Bundle' } };
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

    test('records are put only if newer; received payloads round-trip', async () => {
      await store.sources.put(source('urn:a|1', 2, 'Two'));
      await store.sources.put(source('urn:a|1', 1, 'One'));
      const s = await store.sources.get('urn:a|1');
      expect(s?.patient.name?.[0]?.family).toBe('Two');
      expect(s?.received).toEqual({ nested: [[1, 2], [3]], 'a.b': 1 });
      expect((await store.sources.getById('id-urn:a|1'))?.key).toBe('urn:a|1');
      expect((await store.sources.byIdentifier({ value: '1' }, 10)).map((x) => x.key)).toEqual(['urn:a|1']);
      expect(await store.sources.byIdentifier({ system: 'urn:b' }, 10)).toEqual([]);
      await store.goldens.put(golden('G1', 3));
      await store.goldens.put(golden('G1', 2));
      expect((await store.goldens.get('G1'))?.version).toBe(3);
      expect((await store.goldens.getMany(['G1', 'nope'])).map((g) => g.mpiId)).toEqual(['G1']);
      await store.sources.put(source('urn:b|1', 1));
      expect((await store.sources.page(null, 1)).map((x) => x.key)).toEqual(['urn:a|1']);
      expect((await store.sources.page('urn:a|1', 5)).map((x) => x.key)).toEqual(['urn:b|1']);
      expect(await store.sources.count()).toBe(2);
    });

    test('cross-reference: unique identifier, conditional removal', async () => {
      await store.xref.insert({ system: 'http://x.org/id', value: 'V.1', mpiId: 'G1' });
      await expect(store.xref.insert({ system: 'http://x.org/id', value: 'V.1', mpiId: 'G2' })).rejects.toMatchObject({ code: 'conflict' });
      await store.xref.put({ system: 'http://x.org/id', value: 'V.1', mpiId: 'G2' });
      await store.xref.remove({ system: 'http://x.org/id', value: 'V.1', mpiId: 'G1' });
      expect(await store.xref.get({ system: 'http://x.org/id', value: 'V.1' })).toEqual({ system: 'http://x.org/id', value: 'V.1', mpiId: 'G2' });
      expect(await store.xref.byMpiId('G2')).toHaveLength(1);
      await store.xref.remove({ system: 'http://x.org/id', value: 'V.1', mpiId: 'G2' });
      expect(await store.xref.get({ system: 'http://x.org/id', value: 'V.1' })).toBeNull();
    });

    test('blocking: idempotent adds, capped lookups in key order, removal', async () => {
      for (const i of [3, 0, 4, 1, 2]) await store.blocking.add({ key: 'dob:1', sourceKey: `s${i}` });
      await store.blocking.add({ key: 'dob:1', sourceKey: 's0' });
      await store.blocking.add({ key: 'dob:1/AF5', sourceKey: 's0' });
      expect(await store.blocking.lookup('dob:1', 3)).toEqual(['s0', 's1', 's2', 's3']);
      expect(await store.blocking.lookup('dob:1', 10)).toEqual(['s0', 's1', 's2', 's3', 's4']);
      expect(await store.blocking.lookup('dob:1/AF5', 10)).toEqual(['s0']);
      await store.blocking.remove({ key: 'dob:1', sourceKey: 's0' });
      expect(await store.blocking.lookup('dob:1', 10)).toEqual(['s1', 's2', 's3', 's4']);
      expect(await store.blocking.lookup('nope', 10)).toEqual([]);
    });

    test('journal: guards are unique, seq increases, outbox follows application order', async () => {
      const base = { at, operation: 'x', actor, ops: [], applied: false };
      const c1 = await store.journal.append({ ...base, id: 'c1', guards: ['g|G1|1'], events: [event('e1', 'G1')], unpublished: ['e1'] });
      await expect(store.journal.append({ ...base, id: 'c2', guards: ['g|G2|1', 'g|G1|1'], events: [], unpublished: [] })).rejects.toMatchObject({ code: 'conflict' });
      const c3 = await store.journal.append({ ...base, id: 'c3', guards: ['g|G2|1'], events: [event('e3', 'G2'), event('e3b', 'G2')], unpublished: ['e3', 'e3b'] });
      expect((c3.seq ?? 0) > (c1.seq ?? 0)).toBe(true);
      expect((await store.journal.unapplied(10)).map((c) => c.id)).toEqual(['c1', 'c3']);
      expect(await store.outbox.pending(10)).toEqual([]);
      await store.journal.markApplied('c3');
      await store.journal.markApplied('c1');
      expect((await store.outbox.pending(10)).map((e) => e.id)).toEqual(['e1', 'e3', 'e3b']);
      await store.outbox.markPublished(['e1', 'e3']);
      expect((await store.outbox.pending(10)).map((e) => e.id)).toEqual(['e3b']);
      // c1 is finished (applied, its event published) and leaves the journal; c3 is still in flight.
      expect(await store.journal.get('c1')).toBeNull();
      expect((await store.journal.get('c3'))?.events[0]?.id).toBe('e3');
      await store.outbox.markPublished(['e3b']);
      expect(await store.journal.get('c3')).toBeNull();
      expect(await store.journal.retireFinished(10)).toBe(0);
      // A retired change's guards still hold: its record versions cannot be produced twice.
      await expect(store.journal.append({ ...base, id: 'c4', guards: ['g|G1|1'], events: [], unpublished: [] })).rejects.toMatchObject({ code: 'conflict' });
    });

    test('claims: exclusive until released or expired', async () => {
      const now = new Date('2026-01-01T00:00:00Z');
      const later = new Date(now.getTime() + 1000);
      expect(await store.claims.tryAcquire('k', 'A', later, now)).toBe(true);
      expect(await store.claims.tryAcquire('k', 'B', later, now)).toBe(false);
      expect(await store.claims.tryAcquire('k', 'B', new Date(later.getTime() + 1000), new Date(later.getTime() + 1))).toBe(true);
      await store.claims.release(['k'], 'A');
      expect(await store.claims.tryAcquire('k', 'C', later, now)).toBe(false);
      await store.claims.release(['k'], 'B');
      expect(await store.claims.tryAcquire('k', 'C', later, now)).toBe(true);
    });

    test('reviews, constraints, history, tokens, merges, models', async () => {
      const review = { id: 'r1', sourceKey: 'urn:a|1', sourceSystem: 's', candidates: [], state: 'open' as const, version: 1, createdAt: at, updatedAt: at };
      await store.reviews.put(review);
      await store.reviews.put({ ...review, state: 'resolved', version: 2 });
      await store.reviews.put({ ...review, version: 1 });
      expect((await store.reviews.get('r1'))?.state).toBe('resolved');
      expect((await store.reviews.list({ state: 'resolved', offset: 0, count: 10 })).total).toBe(1);
      expect((await store.reviews.list({ state: 'open', offset: 0, count: 10 })).total).toBe(0);
      expect(await store.reviews.bySource('urn:a|1')).toHaveLength(1);
      await store.constraints.put({ sourceKey: 'urn:a|1', mpiId: 'G1', otherSourceKeys: ['urn:b|1'], at, by: actor });
      await store.constraints.put({ sourceKey: 'urn:a|1', mpiId: 'G1', otherSourceKeys: ['urn:b|1'], at, by: actor });
      expect(await store.constraints.forSource('urn:a|1')).toHaveLength(1);
      const h = { kind: 'golden' as const, id: 'G1', version: 1, at, operation: 'create', changedFields: ['name'], actor, patient: { resourceType: 'Patient' as const } };
      await store.history.append(h);
      await store.history.append(h);
      await store.history.append({ ...h, version: 2, at: '2026-01-02T00:00:00.000Z' });
      expect((await store.history.list('golden', 'G1')).map((e) => e.version)).toEqual([1, 2]);
      expect((await store.history.all({ offset: 0, count: 1 })).items[0]?.version).toBe(2);
      expect((await store.history.all({ since: '2026-01-02', offset: 0, count: 5 })).total).toBe(1);
      await store.tokens.insert({ hash: 'h1', mpiId: 'G1', issuedAt: at, issuedBy: actor });
      expect(await store.tokens.revoke('h1', at)).toBe(true);
      expect(await store.tokens.revoke('h2', at)).toBe(false);
      expect((await store.tokens.get('h1'))?.revokedAt).toBe(at);
      const merge = { id: 'm1', survivorId: 'G1', retiredId: 'G2', movedSources: [], survivorBefore: golden('G1', 1), retiredBefore: golden('G2', 1), at, by: actor };
      await store.merges.put(merge);
      expect((await store.merges.activeFor('G2'))?.id).toBe('m1');
      expect((await store.merges.intoSurvivor('G1')).map((m) => m.id)).toEqual(['m1']);
      await store.merges.put({ ...merge, undone: { at, by: actor } });
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
      await store.reviews.put(task('t1', 'dhis2', '2026-01-01T00:00:00.000Z', [0.9, 0.6]));
      await store.reviews.put(task('t2', 'openmrs', '2026-01-02T00:00:00.000Z', [0.7]));
      await store.reviews.put(task('t3', 'dhis2', '2026-01-03T00:00:00.000Z', [0.55, 0.62]));
      await store.reviews.put(task('t4', 'ihris', '2026-01-04T00:00:00.000Z', [0.99], 'resolved'));
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

    test('typed search over normalised fields', async () => {
      await store.goldens.put(golden('G1', 1));
      await store.sources.put(source('urn:a|1', 1, 'Ndiaye'));
      const q = { offset: 0, count: 10 };
      expect((await store.patients.search({ ...q, kind: 'any', family: [{ value: 'nd', match: 'prefix' }] })).total).toBe(2);
      expect((await store.patients.search({ ...q, kind: 'golden', family: [{ value: 'ndeye', match: 'exact' }] })).total).toBe(1);
      expect((await store.patients.search({ ...q, kind: 'any', family: [{ value: 'N.*', match: 'prefix' }] })).total).toBe(0);
      expect((await store.patients.search({ ...q, kind: 'golden', family: [{ value: 'zz', or: ['ndey'], match: 'prefix' }] })).total).toBe(1);
      expect((await store.patients.search({ ...q, kind: 'golden', family: [{ value: 'zz', or: ['yy'], match: 'prefix' }] })).total).toBe(0);
      expect((await store.patients.search({ ...q, kind: 'source', birthDate: [{ prefix: 'eq', value: '1990' }] })).total).toBe(1);
      expect((await store.patients.search({ ...q, kind: 'source', birthDate: [{ prefix: 'gt', value: '1990-05' }] })).total).toBe(0);
      expect((await store.patients.search({ ...q, kind: 'source', identifiers: [{ system: 'urn:a', value: '1' }] })).items[0]?.kind).toBe('source');
      expect((await store.patients.search({ ...q, kind: 'source', identifiers: [{ system: 'urn:a', value: '2' }] })).total).toBe(0);
      const paged = await store.patients.search({ kind: 'any', offset: 1, count: 1, sort: [{ field: '_id', desc: false }] });
      expect(paged).toMatchObject({ total: 2, items: [{ kind: 'source' }] });
      expect((await store.patients.search({ ...q, kind: 'any', lastUpdatedLe: at })).total).toBe(2);
      expect((await store.patients.search({ ...q, kind: 'any', lastUpdatedLe: '2025-12-31T23:59:59.999Z' })).total).toBe(0);
      const later = '2026-01-02T00:00:00.000Z';
      const updated = source('urn:a|1', 2, 'Ndiaye');
      await store.sources.put({ ...updated, updatedAt: later, search: { ...updated.search, lastUpdated: later } });
      expect((await store.patients.search({ ...q, kind: 'any', family: [{ value: 'nd', match: 'prefix' }], lastUpdatedLe: at })).items.map((i) => i.kind)).toEqual(['golden']);
    });
  });
}
