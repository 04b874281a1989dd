import type { Bundle, BundleEntry, OperationOutcome, Patient } from 'fhir/r4';
import { buildFhirServer, call, DHIS2 } from './helpers';
import { aPatient } from '../../helpers/patients';
import type { FhirTestServer } from './helpers';

const post = (value: string, over: Partial<Patient> = {}): BundleEntry => ({
  fullUrl: `urn:uuid:6b0a0c48-0000-4000-8000-${value.padStart(12, '0')}`,
  resource: aPatient({ identifier: [{ system: DHIS2, value }], ...over }),
  request: { method: 'POST', url: 'Patient' },
});
const transaction = (entry: BundleEntry[]): Bundle => ({ resourceType: 'Bundle', type: 'transaction', entry });

describe('FHIR transaction: all or nothing at run time', () => {
  let t: FhirTestServer;
  beforeEach(async () => {
    t = await buildFhirServer();
  });

  async function nothingWritten(...values: string[]): Promise<void> {
    for (const v of values) expect(await t.registry.findSourcesByIdentifier({ system: DHIS2, value: v })).toEqual([]);
    expect((await call(t.server, 'GET', '/fhir/Patient/_history')).body.total).toBe(0);
  }

  it('an entry failing after the writes ran (a read of an unknown Patient) undoes nothing because nothing was written', async () => {
    const res = await call(t.server, 'POST', '/fhir', transaction([post('X1'), post('X2', { name: [{ family: 'Sarr', given: ['Moussa'] }], birthDate: '1970-01-01' }), { request: { method: 'GET', url: 'Patient/does-not-exist' } }]));
    expect(res.status).toBe(404);
    const outcome = res.body as unknown as OperationOutcome;
    expect(outcome.issue[0]?.diagnostics).toMatch(/Transaction entry 2 failed \(nothing was written\)/);
    await nothingWritten('X1', 'X2');
  });

  it('a failed version check on a later entry leaves the earlier entries unwritten', async () => {
    const existing = await call(t.server, 'POST', '/fhir/Patient', aPatient({ identifier: [{ system: DHIS2, value: 'E1' }] }));
    const id = existing.body.id as string;
    const res = await call(t.server, 'POST', '/fhir', transaction([
      post('X3', { name: [{ family: 'Ba', given: ['Oumar'] }], birthDate: '1960-02-02' }),
      { resource: aPatient({ id, identifier: [{ system: DHIS2, value: 'E1' }], gender: 'other' }), request: { method: 'PUT', url: `Patient/${id}`, ifMatch: 'W/"9"' } },
    ]));
    expect(res.status).toBe(412);
    expect(await t.registry.findSourcesByIdentifier({ system: DHIS2, value: 'X3' })).toEqual([]);
    expect((await call(t.server, 'GET', `/fhir/Patient/${id}`)).body.gender).toBe('female');
  });

  it('later entries see earlier ones: a search after a create finds it, in the response and then in the store', async () => {
    const res = await call(t.server, 'POST', '/fhir', transaction([
      { request: { method: 'GET', url: `Patient?identifier=${DHIS2}|X4&record=source` } },
      post('X4'),
      { resource: aPatient({ identifier: [{ system: DHIS2, value: 'X4' }], gender: 'other' }), request: { method: 'PUT', url: `Patient?identifier=${DHIS2}|X4` } },
    ]));
    expect(res.status).toBe(200);
    const entries = (res.body as unknown as Bundle).entry ?? [];
    expect(entries.map((e) => e.response?.status)).toEqual(['200 OK', '201 Created', '200 OK']);
    const found = entries[0]?.resource as Bundle;
    expect(found.total).toBe(1);
    expect((found.entry?.[0]?.resource as Patient).gender).toBe('other');
    const stored = await t.registry.findSourcesByIdentifier({ system: DHIS2, value: 'X4' });
    expect(stored.map((s) => [s.version, s.patient.gender])).toEqual([[2, 'other']]);
  });

  it('two entries for one person from two systems end in one golden record', async () => {
    const res = await call(t.server, 'POST', '/fhir', transaction([post('X5'), { ...post('X6'), resource: aPatient({ identifier: [{ system: 'urn:openmrs:id', value: 'X6' }] }) }]));
    expect(res.status).toBe(200);
    const golden = (res.body as unknown as Bundle).entry?.map((e) => (e.resource as Patient).link?.find((l) => l.type === 'refer')?.other.reference);
    expect(new Set(golden).size).toBe(1);
  });

  it('concurrent transactions registering one person from different systems end in one golden record', async () => {
    const one = (i: number): Bundle => transaction([{ resource: aPatient({ identifier: [{ system: `urn:system:${i}`, value: 'P' }] }), request: { method: 'POST', url: 'Patient' } }]);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => call(t.server, 'POST', '/fhir', one(i))));
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    const golden = results.map((r) => ((r.body as unknown as Bundle).entry?.[0]?.resource as Patient).link?.find((l) => l.type === 'refer')?.other.reference);
    expect(new Set(golden).size).toBe(1);
  });
});
