/**
 * The sync stores' contract, run on the in-memory twins (unit) and on MongoDB (integration), so that
 * both behave alike.
 */
import { deadLetterEventId } from '../../../src/sync/dead-letters';
import type { ChannelEventStore, ChannelStateStore, DeadLetterStore, NewDeadLetter, SyncRun, SyncRunStore } from '../../../src/sync/ports';
import { zeroCounts } from '../../../src/sync/ports';

/** Fresh, empty stores. */
export interface SyncStores {
  state: ChannelStateStore;
  deadLetters: DeadLetterStore;
  runs: SyncRunStore;
  events: ChannelEventStore;
}

const failure = (over: Partial<NewDeadLetter> = {}): NewDeadLetter => ({
  channel: 'dhis2', stage: 'mapping', resourceType: 'trackedEntity', resourceId: 'PQfMcpmXeFE', key: 'urn:te|PQfMcpmXeFE',
  payload: { trackedEntity: 'PQfMcpmXeFE' }, reason: 'the tracked entity UID is not a DHIS2 UID', ...over,
});

function run(id: string, over: Partial<SyncRun> = {}): SyncRun {
  return { id, channel: 'dhis2', trigger: 'api', status: 'succeeded', startedAt: '2026-01-01T00:00:00.000Z', pages: 1, counts: zeroCounts(), caughtUp: true, ...over };
}

/**
 * Register the contract tests.
 * @param label - store kind in test titles
 * @param make - fresh stores
 */
export function syncStoreContract(label: string, make: () => Promise<SyncStores>): void {
  describe(`sync stores (${label})`, () => {
    let s: SyncStores;
    beforeEach(async () => {
      s = await make();
    });

    test('channel state: put, get, list by prefix', async () => {
      expect(await s.state.get('dhis2', 'cursor:x')).toBeNull();
      await s.state.put('dhis2', 'cursor:IpHINAT79UW', { updatedAfter: '2026-01-01T10:00:00.000', seen: ['a'] });
      await s.state.put('dhis2', 'cursor:ur1Edk5Oe2n', { updatedAfter: '2026-01-02T10:00:00.000', seen: [] });
      await s.state.put('dhis2', 'other', 1);
      await s.state.put('openmrs', 'cursor:default', { lastUpdated: 'x' });
      expect(await s.state.get('dhis2', 'cursor:IpHINAT79UW')).toEqual({ updatedAfter: '2026-01-01T10:00:00.000', seen: ['a'] });
      expect((await s.state.list('dhis2', 'cursor:')).map((e) => e.key)).toEqual(['cursor:IpHINAT79UW', 'cursor:ur1Edk5Oe2n']);
      await s.state.put('dhis2', 'cursor:IpHINAT79UW', { updatedAfter: 'later' });
      expect(await s.state.get('dhis2', 'cursor:IpHINAT79UW')).toEqual({ updatedAfter: 'later' });
    });

    test('a failing payload is one entry however often it fails; a new payload is another', async () => {
      const a = await s.deadLetters.record(failure(), '2026-01-01T00:00:00.000Z');
      const again = await s.deadLetters.record(failure({ reason: 'still broken' }), '2026-01-01T00:01:00.000Z');
      expect(again).toMatchObject({ id: a.id, occurrences: 2, reason: 'still broken', firstSeenAt: '2026-01-01T00:00:00.000Z', lastSeenAt: '2026-01-01T00:01:00.000Z' });
      const other = await s.deadLetters.record(failure({ payload: { trackedEntity: 'PQfMcpmXeFE', x: 1 } }), '2026-01-01T00:02:00.000Z');
      expect(other.id).not.toBe(a.id);
      expect(await s.deadLetters.countOpen('dhis2')).toBe(2);
    });

    test('failures filter by channel, resource type and id, newest first, with a total', async () => {
      await s.deadLetters.record(failure(), '2026-01-01T00:00:00.000Z');
      await s.deadLetters.record(failure({ resourceId: 'B', payload: 2 }), '2026-01-01T00:05:00.000Z');
      await s.deadLetters.record(failure({ channel: 'openmrs', resourceType: 'Patient', resourceId: 'u1', payload: 3 }), '2026-01-01T00:03:00.000Z');
      const all = await s.deadLetters.list({ offset: 0, limit: 10 });
      expect(all.total).toBe(3);
      expect(all.items.map((d) => d.resourceId)).toEqual(['B', 'u1', 'PQfMcpmXeFE']);
      expect((await s.deadLetters.list({ channel: 'dhis2', resourceType: 'trackedEntity', offset: 0, limit: 1 })).total).toBe(2);
      expect((await s.deadLetters.list({ resourceType: 'Patient', resourceId: 'u1', offset: 0, limit: 10 })).items.map((d) => d.channel)).toEqual(['openmrs']);
    });

    test('a record that comes in resolves its open failures; a re-drive that fails again is republished', async () => {
      const a = await s.deadLetters.record(failure(), '2026-01-01T00:00:00.000Z');
      const first = deadLetterEventId(a.id, 0, 1);
      expect((await s.deadLetters.pending(10)).map((e) => [e.id, e.topic, e.key])).toEqual([[first, 'dlq', 'urn:te|PQfMcpmXeFE']]);
      expect(first).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      await s.deadLetters.markPublished([first]);
      expect(await s.deadLetters.pending(10)).toEqual([]);
      await s.deadLetters.retried(a.id, { stage: 'validation', reason: 'new reason' }, '2026-01-01T01:00:00.000Z');
      expect((await s.deadLetters.pending(10)).map((e) => e.id)).toEqual([deadLetterEventId(a.id, 1, 1)]);
      // Marking the earlier event does not mark the re-drive's.
      await s.deadLetters.markPublished([first]);
      expect(await s.deadLetters.pending(10)).toHaveLength(1);
      expect(await s.deadLetters.resolveRecords('dhis2', 'trackedEntity', ['PQfMcpmXeFE', 'other'], '2026-01-01T02:00:00.000Z')).toBe(1);
      expect(await s.deadLetters.get(a.id)).toMatchObject({ status: 'resolved', resolvedAt: '2026-01-01T02:00:00.000Z', retries: 1, stage: 'validation' });
      expect(await s.deadLetters.countOpen('dhis2')).toBe(0);
      // Failing again once resolved publishes again, under a new ce_id (a consumer deduping on it sees it).
      await s.deadLetters.markPublished([deadLetterEventId(a.id, 1, 1)]);
      await s.deadLetters.record(failure(), '2026-01-01T03:00:00.000Z');
      expect((await s.deadLetters.pending(10)).map((e) => e.id)).toEqual([deadLetterEventId(a.id, 1, 2)]);
    });

    test('a payload over 1 MB keeps its head and size', async () => {
      const d = await s.deadLetters.record(failure({ payload: { big: 'x'.repeat(1_100_000) } }), '2026-01-01T00:00:00.000Z');
      expect(d.payload).toMatchObject({ truncated: true, characters: 1_100_010 });
      expect(((await s.deadLetters.get(d.id))?.payload as { head: string }).head).toHaveLength(65_536);
    });

    test('runs: latest and latest caught up; interrupted runs fail at start', async () => {
      await s.runs.save(run('r1', { startedAt: '2026-01-01T00:00:00.000Z' }));
      await s.runs.save(run('r2', { startedAt: '2026-01-01T01:00:00.000Z', status: 'failed', caughtUp: false }));
      await s.runs.save(run('r3', { startedAt: '2026-01-01T02:00:00.000Z', status: 'running', caughtUp: false }));
      const { last, lastCaughtUp } = await s.runs.latest('dhis2');
      expect([last?.id, lastCaughtUp?.id]).toEqual(['r3', 'r1']);
      expect(await s.runs.failInterrupted('2026-01-01T03:00:00.000Z')).toBe(1);
      expect((await s.runs.latest('dhis2')).last).toMatchObject({ status: 'failed', error: expect.stringContaining('interrupted') });
      expect(await s.runs.latest('ihris')).toEqual({ last: null, lastCaughtUp: null });
    });

    test('channel events: stored once by id, pending in order until published', async () => {
      const ev = (id: string): Parameters<ChannelEventStore['add']>[0] => ({ id, topic: 'practitioner', key: 'P1', type: 'org.passerelle.practitioner.updated', subject: 'P1', time: '2026-01-01T00:00:00.000Z', payload: { n: id } });
      expect(await s.events.add(ev('e1'))).toBe(true);
      expect(await s.events.add(ev('e1'))).toBe(false);
      expect(await s.events.add(ev('e2'))).toBe(true);
      expect((await s.events.pending(10)).map((e) => e.id)).toEqual(['e1', 'e2']);
      await s.events.markPublished(['e1']);
      expect((await s.events.pending(10)).map((e) => e.id)).toEqual(['e2']);
      expect(await s.events.has('e1')).toBe(true);
      expect(await s.events.has('e3')).toBe(false);
    });
  });
}
