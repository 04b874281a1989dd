/**
 * The shared contract of the registry outbox with several relaying processes (claims, per-key order
 * across processes, takeover of expired claims) and of its retention: run against the memory twin
 * (unit) and MongoDB (integration), like store-contract.ts.
 */
import type { Claimant } from '../../../src/core/outbox-claims';
import type { OutboxStore, RegistryStore } from '../../../src/registry/store';
import { change, golden, pmirChange } from './store-contract';

/** A fresh store and the outbox views of other claimants over it (other processes). */
export interface ClaimingStore {
  store: RegistryStore;
  outboxFor(claimant: Claimant): OutboxStore;
  cleanup(): Promise<void>;
}

const ids = async (o: OutboxStore, limit = 10): Promise<string[]> => (await o.pending(limit)).map((e) => e.id);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** c1 (G1), c2 (G2), c3 (G1), finished, in seq order: c3 must never go out before c1. */
async function threeChanges(store: RegistryStore): Promise<void> {
  const onG2 = pmirChange('c2', 20, ['e2']);
  const changes = [pmirChange('c1', 10, ['e1']), { ...onG2, events: onG2.events.map((e) => ({ ...e, key: 'G2', subject: 'G2' })), guards: ['g|G2|20'] }, pmirChange('c3', 30, ['e3'])];
  for (const c of changes) {
    await store.changes.commit(c);
    await store.changes.finish(c.id);
  }
}

/**
 * Register the contract tests.
 * @param name - implementation name
 * @param make - a fresh, empty store with its claimant views
 */
export function outboxClaimsContract(name: string, make: () => Promise<ClaimingStore>): void {
  describe(`registry outbox with several processes: ${name}`, () => {
    let s: ClaimingStore;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(async () => s.cleanup());

    test('each change goes to one process; a change waits while an earlier one on its key is held elsewhere', async () => {
      await threeChanges(s.store);
      const a = s.outboxFor({ holder: 'proc-a', leaseMs: 60000 });
      const b = s.outboxFor({ holder: 'proc-b', leaseMs: 60000 });
      expect(await ids(a, 1)).toEqual(['e1']);
      // c1 is A's: B takes c2, and c3 (same person as c1) waits behind it.
      expect(await ids(b)).toEqual(['e2']);
      expect(await ids(a, 1)).toEqual(['e1']);
      await a.markPublished(['e1']);
      expect(await ids(b)).toEqual(['e2', 'e3']);
      // Held by B now: A gets nothing.
      expect(await ids(a)).toEqual([]);
      await b.markPublished(['e2', 'e3']);
      expect(await ids(a)).toEqual([]);
      expect((await s.store.outbox.lag()).count).toBe(0);
    });

    test('claims of a process that died expire and are taken over, with the same ce_ids', async () => {
      await threeChanges(s.store);
      const dead = s.outboxFor({ holder: 'proc-dead', leaseMs: 150 });
      const heir = s.outboxFor({ holder: 'proc-heir', leaseMs: 60000 });
      expect(await ids(dead)).toEqual(['e1', 'e2', 'e3']);
      expect(await ids(heir)).toEqual([]);
      await sleep(250);
      expect(await ids(heir)).toEqual(['e1', 'e2', 'e3']);
      expect(await ids(dead)).toEqual([]);
    });

    test('a process that stops cleanly releases its claims: another takes them at once', async () => {
      await threeChanges(s.store);
      const leaving = s.outboxFor({ holder: 'proc-leaving', leaseMs: 60000 });
      const staying = s.outboxFor({ holder: 'proc-staying', leaseMs: 60000 });
      expect(await ids(leaving)).toEqual(['e1', 'e2', 'e3']);
      expect(await ids(staying)).toEqual([]);
      await leaving.release();
      expect(await ids(staying)).toEqual(['e1', 'e2', 'e3']);
    });

    test('retention removes the events and writes of published changes past the cut; history and waiting changes stay', async () => {
      const writes = { sources: [], goldens: [golden('G1', 10)], xrefPut: [], xrefDel: [] };
      await s.store.changes.commit({ ...pmirChange('c1', 10, ['e1']), writes });
      await s.store.changes.finish('c1');
      await s.store.changes.commit({ ...pmirChange('c2', 20, ['e2']), writes: { ...writes, goldens: [golden('G1', 20)] } });
      await s.store.changes.finish('c2');
      await s.store.changes.commit({ ...pmirChange('c3', 30, ['e3']), writes: { ...writes, goldens: [golden('G1', 30)] } });
      await s.store.changes.commit(change('c4', { seq: 40, guards: ['g|G9|1'], writes }));
      await s.store.changes.finish('c4');
      await s.store.outbox.markPublished(await ids(s.store.outbox));
      // c1 and c2 published; c4 has no events (its writes go); c3 is still in flight: kept whole.
      await s.store.changes.commit(pmirChange('c5', 50, ['e5']));
      await s.store.changes.finish('c5');
      expect(await s.store.outbox.prune('2025-01-01T00:00:00.000Z')).toBe(0);
      expect(await s.store.outbox.prune('2027-01-01T00:00:00.000Z')).toBe(3);
      expect(await s.store.outbox.prune('2027-01-01T00:00:00.000Z')).toBe(0);
      const retained = await s.store.outbox.retained({ since: '1970-01-01T00:00:00.000Z' }, { after: null, limit: 10 });
      expect(retained.events.map((e) => e.id)).toEqual(['e5']);
      // c5 waits behind c3, an earlier change on its person still in flight.
      expect(await ids(s.store.outbox)).toEqual([]);
      expect((await s.store.changes.history('golden', 'G1')).map((h) => h.version)).toEqual([10, 20, 30, 50]);
      expect((await s.store.changes.get('c3'))?.writes.goldens).toHaveLength(1);
      expect((await s.store.changes.get('c1'))?.writes.goldens).toEqual([]);
    });
  });
}
