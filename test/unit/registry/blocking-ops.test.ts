import type { Patient } from 'fhir/r4';
import { blockingDiffOps } from '../../../src/registry/blocking-ops';
import { createMatchingEngine } from '../../../src/registry/matching';
import type { StoredSource } from '../../../src/registry/store';

const engine = createMatchingEngine();

function source(patient: Patient, active = true): StoredSource {
  return { key: 'urn:a|1', active, features: engine.extractFeatures(patient) } as StoredSource;
}

const awa: Patient = { resourceType: 'Patient', name: [{ family: 'Diop', given: ['Awa'] }], gender: 'female', birthDate: '1990-05-12' };

describe('blocking-index ops of a change', () => {
  it('files a new record under every blocking key and its refined form', () => {
    const ops = blockingDiffOps(engine, null, source(awa));
    const keys = ops.map((o) => (o.op === 'block.add' ? o.entry.key : 'other'));
    expect(keys).toEqual(expect.arrayContaining([...engine.blockingKeys(source(awa).features), ...(engine.refinedBlockingKeys?.(source(awa).features) ?? [])]));
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('writes only the keys that changed, nothing when none did, and removes every key on deactivation', () => {
    const before = source(awa);
    expect(blockingDiffOps(engine, before, source(awa))).toEqual([]);
    const moved = blockingDiffOps(engine, before, source({ ...awa, birthDate: '1991-05-12' }));
    const added = moved.filter((o) => o.op === 'block.add').map((o) => (o.op === 'block.add' ? o.entry.key : ''));
    const removed = moved.filter((o) => o.op === 'block.del').map((o) => (o.op === 'block.del' ? o.entry.key : ''));
    expect(added.length).toBeGreaterThan(0);
    for (const k of added) expect(k).toMatch(/1991/);
    for (const k of removed) expect(k).toMatch(/1990/);
    const gone = blockingDiffOps(engine, before, source(awa, false));
    expect(gone.every((o) => o.op === 'block.del')).toBe(true);
    expect(gone).toHaveLength(blockingDiffOps(engine, null, before).length);
  });
});
