/**
 * Reading a golden record and answering PIXm cost a constant number of store reads, whatever the
 * number of its source records (no read per source), and a known-domain check loads at most one record.
 */
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import type { RegistryStore } from '../../../src/registry/store';

const NID = 'urn:oid:1.2.3.4.5';
const OWN = 'urn:system:clinic';

/** Count every read method call of the store's sources and golden records. */
function countReads(store: RegistryStore): { calls: string[] } {
  const calls: string[] = [];
  const target = store.records as unknown as Record<string, unknown>;
  for (const name of ['source', 'sources', 'sourceById', 'golden', 'goldens', 'xref', 'lookup', 'byIdentifier', 'page']) {
    const original = target[name];
    if (typeof original !== 'function') continue;
    target[name] = (...args: unknown[]): unknown => {
      calls.push(name);
      return (original as (...a: unknown[]) => unknown).apply(target, args);
    };
  }
  return { calls };
}

describe('batch reads of a golden record with 20 sources', () => {
  let app: TestApp;
  let mpiId: string;
  beforeAll(async () => {
    app = await buildTestApp();
    for (let i = 0; i < 20; i++) {
      const r = await app.registry.service.registerSource({
        patient: { resourceType: 'Patient', identifier: [{ system: OWN, value: `C-${i}` }, { system: NID, value: '1980123456789' }], name: [{ family: 'Sarr', given: ['Khady'] }], birthDate: '1980-02-03', gender: 'female' },
        sourceSystem: 'clinic', actor: { clientId: 'test' },
      });
      mpiId = r.golden.mpiId;
    }
  });
  afterAll(() => app.stop());

  it('all 20 sources are linked to one golden record', async () => {
    expect((await app.registry.service.getGolden(mpiId))?.golden.sourceKeys).toHaveLength(20);
  });

  it('FHIR read of the golden record: one read, its sources linked from the record itself', async () => {
    const { calls } = countReads(app.registry.store);
    const res = await app.server.inject({ method: 'GET', url: `/fhir/Patient/${mpiId}` });
    expect(res.statusCode).toBe(200);
    expect((JSON.parse(res.payload) as { link: unknown[] }).link).toHaveLength(20);
    // An MPI ID names a golden record: one read, whose member snapshots give its sources' ids.
    expect(calls).toEqual(['golden']);
  });

  it('PIXm: the domain checks and the sources cost a constant number of reads', async () => {
    const { calls } = countReads(app.registry.store);
    const url = `/fhir/Patient/$ihe-pix?sourceIdentifier=${encodeURIComponent(`${OWN}|C-7`)}`;
    const res = await app.server.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    const targets = (JSON.parse(res.payload) as { parameter: Array<{ name: string }> }).parameter.filter((p) => p.name === 'targetId');
    expect(targets).toHaveLength(21);
    expect(calls.filter((c) => c === 'sources')).toHaveLength(1);
    expect(calls.filter((c) => c === 'source')).toHaveLength(0);
    expect(calls.length).toBeLessThanOrEqual(5);
  });

  it('an identifier system is known after loading at most one record', async () => {
    expect(await app.registry.service.identifierSystemKnown(OWN)).toBe(true);
    expect(await app.registry.service.identifierSystemKnown('urn:system:never-seen')).toBe(false);
  });
});

describe('MPI search shows each golden record as its read does', () => {
  it('source_count in /mpi/search equals /mpi/{mpi_id}', async () => {
    const app = await buildTestApp();
    try {
      for (const value of ['A-1', 'A-2']) {
        await app.registry.service.registerSource({
          patient: { resourceType: 'Patient', identifier: [{ system: OWN, value }, { system: NID, value: '1972010812345' }], name: [{ family: 'Joshua', given: ['Emanuel'] }], birthDate: '1972-01-08', gender: 'male' },
          sourceSystem: 'clinic', actor: { clientId: 'test' },
        });
      }
      const search = JSON.parse((await app.server.inject({ method: 'GET', url: '/mpi/search?q=Joshua' })).payload) as { items: Array<{ mpi_id: string; source_count: number }> };
      expect(search.items).toHaveLength(1);
      const read = JSON.parse((await app.server.inject({ method: 'GET', url: `/mpi/${search.items[0]!.mpi_id}` })).payload) as { source_count: number };
      expect(search.items[0]!.source_count).toBe(2);
      expect(read.source_count).toBe(2);
    } finally {
      await app.stop();
    }
  });
});
