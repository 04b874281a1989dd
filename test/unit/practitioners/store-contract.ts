/**
 * The PractitionerStore contract, run on the in-memory store (unit) and on MongoDB/FerretDB
 * (integration), so that both answer every search alike.
 */
import type { Practitioner } from 'fhir/r4';
import type { PractitionerStore } from '../../../src/practitioners/port';
import type { PractitionerOutbox } from '../../../src/practitioners/events';
import { expectValidEvent } from '../../helpers/event-schema';

const NID = 'urn:oid:1.2.250.1.1';

function worker(id: string, family: string, given: string, extra: Partial<Practitioner> = {}): Practitioner & { id: string } {
  return { resourceType: 'Practitioner', id, identifier: [{ system: NID, value: `HW-${id}` }, { system: 'urn:ihris', value: id }], name: [{ family, given: [given] }], ...extra };
}

/**
 * Register the contract tests.
 * @param label - store name in test titles
 * @param make - a fresh, empty store
 */
export function practitionerStoreContract(label: string, make: () => Promise<PractitionerStore & { outbox: PractitionerOutbox }>): void {
  describe(`PractitionerStore contract (${label})`, () => {
    let store: PractitionerStore & { outbox: PractitionerOutbox };
    beforeEach(async () => {
      store = await make();
      await store.upsert(worker('p1', 'Ndiaye', 'Aminata'));
      await store.upsert(worker('p2', 'Ndour', 'Moussa', { active: false }));
      await store.upsert(worker('p3', 'Séck', 'Awa'));
    });

    test('upsert versions the resource and get returns the latest', async () => {
      const v2 = await store.upsert(worker('p1', 'Ndiaye', 'Aminata Marie', { meta: { versionId: '99', source: 'ihris' } }));
      expect(v2.meta).toMatchObject({ versionId: '2', source: 'ihris' });
      const got = await store.get('p1');
      expect(got?.name?.[0]?.given).toEqual(['Aminata Marie']);
      expect(got?.meta?.versionId).toBe('2');
      expect(await store.get('nope')).toBeNull();
    });

    test('name, family and given are case- and accent-insensitive prefixes, AND-ed', async () => {
      const ids = async (q: Parameters<PractitionerStore['search']>[0]): Promise<string[]> => (await store.search(q)).items.map((p) => p.id ?? '');
      expect(await ids({ family: ['nd'], offset: 0, count: 10 })).toEqual(['p1', 'p2']);
      expect(await ids({ family: ['SECK'], offset: 0, count: 10 })).toEqual(['p3']);
      expect(await ids({ name: ['awa'], offset: 0, count: 10 })).toEqual(['p3']);
      expect(await ids({ family: ['nd'], given: ['mou'], offset: 0, count: 10 })).toEqual(['p2']);
      expect(await ids({ active: true, offset: 0, count: 10 })).toEqual(['p1', 'p3']);
    });

    test('identifier search in its three forms', async () => {
      const ids = async (identifier: Array<{ system?: string; value?: string }>): Promise<string[]> => (await store.search({ identifier, offset: 0, count: 10 })).items.map((p) => p.id ?? '');
      expect(await ids([{ system: NID, value: 'HW-p2' }])).toEqual(['p2']);
      expect(await ids([{ value: 'p3' }])).toEqual(['p3']);
      expect(await ids([{ system: 'urn:ihris' }])).toEqual(['p1', 'p2', 'p3']);
      expect(await ids([{ system: 'urn:other', value: 'HW-p2' }])).toEqual([]);
    });

    test('paging keeps the total; operator and regex characters are literal', async () => {
      const page = await store.search({ offset: 1, count: 1 });
      expect(page.total).toBe(3);
      expect(page.items.map((p) => p.id)).toEqual(['p2']);
      for (const hostile of ['.*', '^N', '$where', '{"$ne":null}', 'N[a-z]+']) {
        expect((await store.search({ family: [hostile], offset: 0, count: 10 })).total).toBe(0);
        expect((await store.search({ identifier: [{ value: hostile }], offset: 0, count: 10 })).total).toBe(0);
      }
    });

    test('each new version writes its event: created, updated, deactivated; an unchanged re-send none', async () => {
      const types = async (): Promise<string[]> => (await store.outbox.pending(100)).filter((e) => e.key === 'p1').map((e) => e.type);
      expect(await types()).toEqual(['org.passerelle.practitioner.created']);
      await store.upsert(worker('p1', 'Ndiaye', 'Aminata'));
      await store.upsert(worker('p1', 'Ndiaye', 'Aminata Marie'));
      await store.upsert(worker('p1', 'Ndiaye', 'Aminata Marie', { active: false }));
      expect(await types()).toEqual(['org.passerelle.practitioner.created', 'org.passerelle.practitioner.updated', 'org.passerelle.practitioner.deactivated']);
      const events = (await store.outbox.pending(100)).filter((e) => e.key === 'p1');
      const versions = events.map((e) => ((e.payload as { entry: Array<{ resource: { meta?: { versionId?: string } } }> }).entry[1]?.resource.meta?.versionId));
      expect(versions).toEqual(['1', '2', '3']);
      for (const e of events) expectValidEvent(e);
      expect((await store.outbox.lag()).count).toBe(5);
    }, 60000);

    test('an event keeps the OpenHIM transaction its change came through (its x-openhim-transactionid header)', async () => {
      await store.upsert(worker('p1', 'Ndiaye', 'Awa'), { transactionId: '6652c7a1f1e2d3c4b5a697bb' });
      const [last] = (await store.outbox.pending(100)).filter((e) => e.key === 'p1').slice(-1);
      expect(last).toMatchObject({ type: 'org.passerelle.practitioner.updated', transactionId: '6652c7a1f1e2d3c4b5a697bb' });
      expect((await store.outbox.pending(100)).filter((e) => e.key !== 'p1').every((e) => e.transactionId === undefined)).toBe(true);
    });

    test('published events leave the outbox; later versions still queue', async () => {
      const first = await store.outbox.pending(100);
      await store.outbox.markPublished(first.map((e) => e.id));
      expect(await store.outbox.pending(100)).toEqual([]);
      expect(await store.outbox.lag()).toEqual({ count: 0, oldestAt: null });
      await store.upsert(worker('p3', 'Seck', 'Awa'));
      expect((await store.outbox.pending(100)).map((e) => e.type)).toEqual(['org.passerelle.practitioner.updated']);
    });
  });
}
