import type { Patient } from 'fhir/r4';
import { createContext } from '../../../src/registry/context';
import { createMemoryRegistryStore } from '../../../src/registry/memory/memory-store';
import type { StoredGolden } from '../../../src/registry/store';
import { xrefDiffOps } from '../../../src/registry/xref-ops';
import { fakeEngine, fakeModel } from './fake-engine';

function golden(mpiId: string, ids: string[], xrefKeys?: string[]): StoredGolden {
  const patient: Patient = { resourceType: 'Patient', identifier: ids.map((k) => ({ system: k.split('|')[0], value: k.split('|')[1] })) };
  return { mpiId, patient, sourceKeys: [], status: 'active', version: 1, createdAt: '', updatedAt: '', search: {} as StoredGolden['search'], extraIdentifiers: [], ...(xrefKeys ? { xrefKeys } : {}) };
}

describe('cross-reference diff of a change', () => {
  const setup = async (): Promise<ReturnType<typeof createContext>> => {
    const store = createMemoryRegistryStore();
    await store.xref.put({ system: 'urn:nid', value: 'N1', mpiId: 'A' });
    return createContext({ store, engine: fakeEngine, defaultModel: fakeModel() });
  };

  test.each([['A first', ['A', 'B']], ['B first', ['B', 'A']]])('an identifier still wanted by its holder stays there, whatever the order (%s)', async (_label, order) => {
    const ctx = await setup();
    const states = { A: { before: golden('A', ['urn:nid|N1'], ['urn:nid|N1']), after: golden('A', ['urn:nid|N1']) }, B: { before: null, after: golden('B', ['urn:nid|N1', 'urn:x|2']) } };
    const ops = await xrefDiffOps(ctx, order.map((k) => states[k as 'A' | 'B']));
    expect(ops).toEqual([{ op: 'xref.put', entry: { system: 'urn:x', value: '2', mpiId: 'B' } }]);
    expect([states.A.after.xrefKeys, states.B.after.xrefKeys]).toEqual([['urn:nid|N1'], ['urn:x|2']]);
  });

  test('an identifier its holder gives up in the same change moves, and the holder stops listing it', async () => {
    const ctx = await setup();
    const a = { before: golden('A', ['urn:nid|N1'], ['urn:nid|N1']), after: golden('A', []) };
    const b = { before: null, after: golden('B', ['urn:nid|N1']) };
    const ops = await xrefDiffOps(ctx, [b, a]);
    expect(ops).toEqual([
      { op: 'xref.del', entry: { system: 'urn:nid', value: 'N1', mpiId: 'A' } },
      { op: 'xref.put', entry: { system: 'urn:nid', value: 'N1', mpiId: 'B' } },
    ]);
    expect([a.after.xrefKeys, b.after.xrefKeys]).toEqual([[], ['urn:nid|N1']]);
  });
});
