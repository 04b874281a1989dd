import { LookupSnapshot, StaleLookupError } from '../../../src/registry/lookup-snapshot';
import type { LookupResult, SourceView } from '../../../src/registry/store';

const source = (key: string, version: number, keys: string[], rf = ''): SourceView => ({ key, version, keys, rf }) as unknown as SourceView;
const result = (sources: SourceView[], xref: LookupResult['xref'] = []): LookupResult => ({ sources, xref });

describe('lookups of one decision read one committed state', () => {
  test('the same records again, or records under keys not read before, are consistent', () => {
    const s = new LookupSnapshot();
    s.note({ keys: ['fam:SOW'] }, result([source('a|1', 0, ['fam:SOW', 'dob:1990'])]));
    expect(() => s.note({ keys: ['fam:SOW', 'dob:1990'] }, result([source('a|1', 0, ['fam:SOW', 'dob:1990']), source('b|1', 0, ['dob:1990'])]))).not.toThrow();
  });

  test('a record new under a key already read, or a new version of one seen, is a stale read', () => {
    const s = new LookupSnapshot();
    s.note({ keys: ['fam:SOW'] }, result([source('a|1', 0, ['fam:SOW'])]));
    expect(() => s.note({ keys: ['fam:SOW'] }, result([source('a|1', 0, ['fam:SOW']), source('b|1', 0, ['fam:SOW'])]))).toThrow(StaleLookupError);
    const t = new LookupSnapshot();
    t.note({ keys: ['fam:SOW'] }, result([source('a|1', 0, ['fam:SOW'])]));
    expect(() => t.note({ keys: ['fam:SOW'] }, result([source('a|1', 1, ['fam:SOW'])]))).toThrow(StaleLookupError);
  });

  test('a refined read covers only records of its refinement code', () => {
    const s = new LookupSnapshot();
    s.note({ keys: [], refined: [{ rf: 'M', keys: ['fam:SOW'] }] }, result([]));
    expect(() => s.note({ keys: ['fam:SOW'] }, result([source('a|1', 0, ['fam:SOW'], 'F')]))).not.toThrow();
    expect(() => s.note({ keys: ['fam:SOW'] }, result([source('b|1', 0, ['fam:SOW'], 'M')]))).toThrow(StaleLookupError);
  });

  test('a cross-reference entry that appeared or moved under an identifier read is a stale read', () => {
    const s = new LookupSnapshot();
    s.note({ keys: ['x:urn:nid|1'] }, result([]));
    expect(() => s.note({ keys: ['x:urn:nid|1'] }, result([], [{ key: 'urn:nid|1', mpiId: 'M1' }]))).toThrow(StaleLookupError);
  });
});
