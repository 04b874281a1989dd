/**
 * Keys are built by named functions (keys.ts), so two operations on one record always name it alike:
 * an MPI ID given in lower case by one caller and upper case by another leads to the same lease.
 */
import type { Change } from '../../../src/registry/store';
import { guardKey, identifierKey, leaseKey, lookupKey, parseIdentifierKey } from '../../../src/registry/keys';
import { aPatient } from '../../helpers/patients';
import { actor, makeService } from './helpers';

test('identifier keys round-trip, values may hold the separator', () => {
  expect(identifierKey({ system: 'urn:a', value: 'x|y' })).toBe('urn:a|x|y');
  expect(parseIdentifierKey('urn:a|x|y')).toEqual({ system: 'urn:a', value: 'x|y' });
  expect([lookupKey.blocking('fam:DIOP'), lookupKey.identifier('urn:a|1'), lookupKey.xref('urn:a|1')]).toEqual(['b:fam:DIOP', 'i:urn:a|1', 'x:urn:a|1']);
  expect([leaseKey.golden('SN-X'), guardKey.golden('SN-X', 2)]).toEqual(['g:SN-X', 'g|SN-X|2']);
});

test('patch, link, unlink and merge name one golden record by one lease, whatever the case it was given in', async () => {
  const { service, store } = makeService();
  const committed: Change[] = [];
  const commit = store.changes.commit.bind(store.changes);
  store.changes.commit = async (c) => {
    committed.push(c);
    return commit(c);
  };
  const a = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor });
  const b = await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:b', value: '2' }], name: [{ family: 'Sow', given: ['Moussa'] }], birthDate: '1971-03-04', telecom: undefined, address: undefined }), sourceSystem: 'b', actor });
  const lower = a.golden.mpiId.toLowerCase();
  committed.length = 0;
  await service.patchGolden(lower, { gender: 'female' }, actor);
  await service.link('urn:b|2', lower, actor);
  await service.unlink('urn:b|2', actor);
  const other = (await service.getSource('urn:b|2'))?.goldenId as string;
  await service.merge(lower, other.toLowerCase(), actor);
  const lease = leaseKey.golden(a.golden.mpiId);
  for (const c of committed) expect({ operation: c.operation, holds: c.leases.includes(lease) }).toEqual({ operation: c.operation, holds: true });
  expect(committed.flatMap((c) => c.leases).filter((l) => l.toUpperCase() === lease.toUpperCase() && l !== lease)).toEqual([]);
  expect(b.golden.mpiId).not.toBe(a.golden.mpiId);
});
