import { MediatorError } from '../../../src/core/errors';
import { NID } from './fake-engine';
import { aPatient } from '../../helpers/patients';
import { actor, eventsByTopic, makeService } from './helpers';

describe('registry service: registration decisions', () => {
  test('same demographics from two systems link to one golden record; xref resolves both', async () => {
    const { service } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:dhis2', value: 'A1' }] }), sourceSystem: 'dhis2', actor });
    const b = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:openmrs', value: 'B1' }] }), sourceSystem: 'openmrs', actor });
    expect(a.outcome).toBe('created');
    expect(b.outcome).toBe('linked');
    expect(b.golden.mpiId).toBe(a.golden.mpiId);
    expect(b.golden.sourceKeys).toEqual(['urn:dhis2|A1', 'urn:openmrs|B1']);
    expect((await service.resolveIdentifier({ system: 'urn:openmrs', value: 'B1' }))?.mpiId).toBe(a.golden.mpiId);
    expect(b.source.patient.link?.[0]?.other.reference).toBe(`Patient/${a.golden.mpiId}`);
  });

  test('between thresholds: new golden record plus a review task referencing the source', async () => {
    const { service } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    const b = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '2' }], name: [{ family: 'Diop', given: ['Fatou'] }] }), sourceSystem: 'b', actor });
    expect(b.outcome).toBe('review');
    expect(b.golden.mpiId).not.toBe(a.golden.mpiId);
    const task = await service.getReview(b.reviewTaskId as string);
    expect(task).toMatchObject({ sourceKey: 'urn:b|2', state: 'open', candidates: [{ mpiId: a.golden.mpiId, score: 0.8 }] });
  });

  test('below the lower threshold: a new golden record, no task', async () => {
    const { service } = makeService();
    await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    const b = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '2' }], name: [{ family: 'Ndiaye', given: ['Fatou'] }] }), sourceSystem: 'b', actor });
    expect(b.outcome).toBe('created');
    expect((await service.listReviews({ offset: 0, count: 10 })).total).toBe(0);
  });

  test('an identifier conflict in the same system never auto-links', async () => {
    const { service } = makeService();
    await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }, { system: NID, value: 'N1' }] }), sourceSystem: 'a', actor });
    const b = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '2' }, { system: NID, value: 'N2' }] }), sourceSystem: 'b', actor });
    expect(b.outcome).toBe('review');
  });

  test('the same identifier is the same person even with different demographics', async () => {
    const { service } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }, { system: NID, value: 'N1' }] }), sourceSystem: 'a', actor });
    const b = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '2' }, { system: NID, value: 'N1' }], name: [{ family: 'Sow', given: ['Moussa'] }], birthDate: '1970-01-01' }), sourceSystem: 'b', actor });
    expect(b.outcome).toBe('linked');
    expect(b.golden.mpiId).toBe(a.golden.mpiId);
  });

  test('an identifier added to a golden record links a later source carrying it', async () => {
    const { service } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    await service.addIdentifier(a.golden.mpiId, { system: 'urn:dhis2', value: 'TEI1' }, actor);
    const b = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:dhis2', value: 'TEI1' }], name: [{ family: 'Diop', given: ['Fatou'] }] }), sourceSystem: 'dhis2', actor });
    expect(b.golden.mpiId).toBe(a.golden.mpiId);
  });

  test('forceCreate makes a new golden record despite a certain match', async () => {
    const { service } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    const b = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '1' }] }), sourceSystem: 'b', actor, forceCreate: true });
    expect(b.golden.mpiId).not.toBe(a.golden.mpiId);
  });

  test('a source without identifier is invalid', async () => {
    const { service } = makeService();
    await expect(service.registerSource({ patient: { resourceType: 'Patient' }, sourceSystem: 'a', actor })).rejects.toMatchObject({ code: 'invalid' });
  });
});

describe('registry service: updates', () => {
  test('re-sent with a change: new version, changed fields in history; identical re-send is unchanged', async () => {
    const { service, store } = makeService();
    await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    const p2 = { ...aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), telecom: [{ system: 'phone' as const, value: '+221770000000' }] };
    const upd = await service.registerSource({ patient: p2, sourceSystem: 'a', actor });
    expect(upd.outcome).toBe('updated');
    expect(upd.source.version).toBe(2);
    const same = await service.registerSource({ patient: p2, sourceSystem: 'a', actor });
    expect(same.outcome).toBe('unchanged');
    const h = await service.history('source', 'urn:a|1');
    expect(h.map((e) => e.changedFields)).toEqual([['address', 'birthDate', 'gender', 'identifier', 'link', 'name', 'telecom'], ['telecom']]);
    expect((await eventsByTopic(store)).patient).toEqual(['org.passerelle.patient.created', 'org.passerelle.patient.updated']);
    await expect(service.registerSource({ patient: p2, sourceSystem: 'a', actor, expectedVersion: 1 })).rejects.toMatchObject({ code: 'precondition-failed' });
  });

  test('changed matching features re-evaluate an automatic link', async () => {
    const { service } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '1' }] }), sourceSystem: 'b', actor });
    const moved = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '1' }], name: [{ family: 'Sow', given: ['Moussa'] }], birthDate: '1970-01-01' }), sourceSystem: 'b', actor });
    expect(moved.golden.mpiId).not.toBe(a.golden.mpiId);
    expect((await service.getGolden(a.golden.mpiId))?.golden.sourceKeys).toEqual(['urn:a|1']);
  });

  test('an update whose re-evaluation is a review opens a review task (once) and keeps the link', async () => {
    const { service, store } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    const b = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '2' }], name: [{ family: 'Sow', given: ['Moussa'] }], birthDate: '1970-01-01' }), sourceSystem: 'b', actor });
    expect(b.outcome).toBe('created');
    const upd = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '2' }], name: [{ family: 'Diop', given: ['Fatou'] }] }), sourceSystem: 'b', actor });
    expect(upd).toMatchObject({ outcome: 'updated', golden: { mpiId: b.golden.mpiId } });
    const task = await service.getReview(upd.reviewTaskId as string);
    expect(task).toMatchObject({ sourceKey: 'urn:b|2', state: 'open', candidates: [{ mpiId: a.golden.mpiId, score: 0.8 }] });
    expect((await eventsByTopic(store)).review).toEqual(['org.passerelle.review.opened']);
    const again = await service.registerSource({ patient: { ...aPatient({ identifier: [{ system: 'urn:b', value: '2' }], name: [{ family: 'Diop', given: ['Fatou'] }] }), telecom: [{ system: 'phone', value: '+221770000001' }] }, sourceSystem: 'b', actor });
    expect(again.outcome).toBe('updated');
    expect(again.reviewTaskId).toBeUndefined();
    expect((await service.listReviews({ state: 'open', offset: 0, count: 10 })).total).toBe(1);
  });

  test('an update that stays a certain match or matches nothing opens no review task', async () => {
    const { service } = makeService();
    await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '2' }], name: [{ family: 'Sow', given: ['Moussa'] }], birthDate: '1970-01-01' }), sourceSystem: 'b', actor });
    const linked = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '2' }] }), sourceSystem: 'b', actor });
    expect(linked.outcome).toBe('linked');
    const apart = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '2' }], name: [{ family: 'Ba', given: ['Modou'] }], birthDate: '1960-02-02' }), sourceSystem: 'b', actor });
    expect(apart.outcome).toBe('created');
    expect((await service.listReviews({ offset: 0, count: 10 })).total).toBe(0);
  });

  test('deactivate is soft: the golden record no longer uses the source', async () => {
    const { service } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    const s = await service.deactivateSource('urn:a|1', actor);
    expect(s.active).toBe(false);
    const g = await service.getGolden(a.golden.mpiId);
    expect(g?.golden.status).toBe('inactive');
    expect(await service.resolveIdentifier({ system: 'urn:a', value: '1' })).toBeNull();
  });

  test('deactivate waits for the blocking keys it edits, as a registration deciding on them does', async () => {
    const { service, store } = makeService(undefined, { leaseWaitMs: 50, retries: 0 });
    await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    // Another change in flight holds a lease on the record's family-name block.
    const holder = { id: 'in-flight', seq: 1, at: new Date().toISOString(), operation: 'register', actor, leases: ['b:fam:DIOP'], guards: [], writes: { sources: [], goldens: [], xrefPut: [], xrefDel: [] }, reviews: [], merges: [], history: [], events: [], applied: false, unpublished: [] };
    await store.changes.commit(holder);
    await expect(service.deactivateSource('urn:a|1', actor)).rejects.toMatchObject({ code: 'unavailable' });
    await store.changes.finish('in-flight');
    expect((await service.deactivateSource('urn:a|1', actor)).active).toBe(false);
  });
});

describe('registry service: MPI IDs and lookups', () => {
  test('a mistyped MPI ID is rejected, never resolved', async () => {
    const { service } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    const id = a.golden.mpiId;
    const last = id.slice(-1);
    const typo = id.slice(0, -2) + (id.at(-2) === '7' ? '8' : '7') + last;
    await expect(service.getGolden(typo)).rejects.toBeInstanceOf(MediatorError);
    expect((await service.getGolden(id.toLowerCase()))?.golden.mpiId).toBe(id);
  });

  test('search is typed, case-insensitive and safe with regex characters', async () => {
    const { service } = makeService();
    await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }], name: [{ family: 'Ndèye', given: ['Awa'] }] }), sourceSystem: 'a', actor });
    const hit = await service.searchPatients({ kind: 'source', family: [{ value: 'nde', match: 'prefix' }], offset: 0, count: 10 });
    expect(hit.total).toBe(1);
    const none = await service.searchPatients({ kind: 'any', family: [{ value: '.*', match: 'contains' }], offset: 0, count: 10 });
    expect(none.total).toBe(0);
    const both = await service.searchPatients({ kind: 'any', identifiers: [{ system: 'urn:a', value: '1' }], offset: 0, count: 10 });
    expect(both.items.map((i) => i.kind).sort()).toEqual(['golden', 'source']);
  });

  test('match() scores without writing', async () => {
    const { service, store } = makeService();
    await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    const before = (await store.outbox.pending(100)).length;
    const m = await service.match(aPatient({ identifier: [{ system: 'urn:x', value: '9' }] }));
    expect(m[0]).toMatchObject({ score: 0.99, grade: 'certain' });
    expect((await store.outbox.pending(100)).length).toBe(before);
  });

  test('tokens: valid, revoked, not found, hashed at rest', async () => {
    const { service, store } = makeService();
    const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
    const { token } = await service.issueToken(a.golden.mpiId, actor);
    expect(token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await store.tokens.get(token)).toBeNull();
    expect((await service.verifyToken(token)).status).toBe('valid');
    await service.revokeToken(token, actor);
    const v = await service.verifyToken(token);
    expect(v).toEqual({ status: 'revoked', checkedAt: expect.any(String) });
    expect((await service.verifyToken('nope-nope-nope-nope')).status).toBe('not_found');
  });
});
