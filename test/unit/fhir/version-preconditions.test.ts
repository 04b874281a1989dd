/**
 * Version preconditions belong to the registry: FHIR update, patch and delete and the MPI API's
 * PATCH hand the If-Match version to it, and it refuses a stale one atomically with the change —
 * so a delete and an update racing with the same If-Match end as one success and one 412.
 */
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import { aPatient } from '../../helpers/patients';
import { ifMatchVersion } from '../../../src/http/etag';

const fhir = { 'content-type': 'application/fhir+json' };

describe('If-Match, one helper for both API surfaces', () => {
  test.each([['W/"3"', 3], ['"3"', 3], ['3', 3], [undefined, undefined]])('%s asks for version %s', (header, version) => {
    expect(ifMatchVersion(header)).toBe(version);
  });

  test('anything else can match no version: 412', () => {
    for (const bad of ['W/"x"', '*', 'W/"3.5"', 3]) expect(() => ifMatchVersion(bad)).toThrow(expect.objectContaining({ code: 'precondition-failed' }));
  });
});

describe('the registry refuses a stale version atomically', () => {
  let app: TestApp;
  beforeEach(async () => {
    app = await buildTestApp();
  });
  afterEach(() => app.stop());

  async function created(value: string): Promise<string> {
    const res = await app.server.inject({ method: 'POST', url: '/fhir/Patient', payload: aPatient({ identifier: [{ system: 'urn:clinic', value }] }), headers: fhir });
    return (JSON.parse(res.payload) as { id: string }).id;
  }

  test('a delete and an update carrying the same If-Match: one succeeds, the other gets 412', async () => {
    for (let round = 0; round < 5; round++) {
      const id = await created(`R-${round}`);
      const [del, put] = await Promise.all([
        app.server.inject({ method: 'DELETE', url: `/fhir/Patient/${id}`, headers: { 'if-match': 'W/"1"' } }),
        app.server.inject({ method: 'PUT', url: `/fhir/Patient/${id}`, payload: aPatient({ id, identifier: [{ system: 'urn:clinic', value: `R-${round}` }], gender: 'male' }), headers: { ...fhir, 'if-match': 'W/"1"' } }),
      ]);
      expect([del.statusCode, put.statusCode].sort()).toEqual([200, 412]);
      const source = await app.registry.service.getSourceById(id);
      expect(source?.version).toBe(2);
    }
  });

  test('FHIR patch and delete with a stale If-Match are refused and change nothing', async () => {
    const id = await created('P-1');
    await app.server.inject({ method: 'PUT', url: `/fhir/Patient/${id}`, payload: aPatient({ id, identifier: [{ system: 'urn:clinic', value: 'P-1' }], gender: 'male' }), headers: fhir });
    const patch = await app.server.inject({ method: 'PATCH', url: `/fhir/Patient/${id}`, payload: [{ op: 'replace', path: '/gender', value: 'female' }], headers: { 'content-type': 'application/json-patch+json', 'if-match': 'W/"1"' } });
    expect(patch.statusCode).toBe(412);
    const del = await app.server.inject({ method: 'DELETE', url: `/fhir/Patient/${id}`, headers: { 'if-match': 'W/"1"' } });
    expect(del.statusCode).toBe(412);
    expect(await app.registry.service.getSourceById(id)).toMatchObject({ version: 2, active: true });
  });

  test('MPI PATCH: a stale or malformed If-Match is 412, as on the FHIR surface', async () => {
    const r = await app.registry.service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:clinic', value: 'M-1' }] }), sourceSystem: 'clinic', actor: { clientId: 't' } });
    const url = `/mpi/${r.golden.mpiId}`;
    const patch = (ifMatch: string): Promise<{ statusCode: number }> => app.server.inject({ method: 'PATCH', url, payload: { phone_number: '+221 70 222 22 22' }, headers: { 'if-match': ifMatch } });
    expect((await patch(`W/"${r.golden.version}"`)).statusCode).toBe(200);
    expect((await patch(`W/"${r.golden.version}"`)).statusCode).toBe(412);
    expect((await patch('W/"x"')).statusCode).toBe(412);
  });
});
