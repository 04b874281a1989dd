/**
 * The app against the real stack end to end: a registration is stored in MongoDB, its event is
 * relayed to the real Kafka broker with the contract's headers, and a unique-index violation in
 * the cross-reference surfaces as a conflict OperationOutcome.
 */
import type { Patient } from 'fhir/r4';
import { normaliseError, toOperationOutcome } from '../../../src/core/outcome';
import type { RegistryModule } from '../../../src/registry-module';
import { consume } from '../../helpers/kafka';
import { buildStackApp } from '../../helpers/stack-app';
import type { StackApp } from '../../helpers/stack-app';

jest.setTimeout(60000);

const actor = { clientId: 'it' };
const patient = (id: string): Patient => ({
  resourceType: 'Patient',
  identifier: [{ system: 'http://openmrs.example.org/patient', value: id, use: 'usual' }],
  name: [{ family: 'Ndiaye', given: ['Fatou'] }],
  birthDate: '1990-05-17',
  gender: 'female',
});

describe('registry on the real stack', () => {
  let s: StackApp;
  let registry: RegistryModule;
  beforeAll(async () => {
    s = await buildStackApp();
    registry = s.app.registry;
  });
  afterAll(async () => {
    await s.close();
  });

  it('stores a registration and relays exactly one event to Kafka', async () => {
    const r = await registry.service.registerSource({ patient: patient('P-1'), sourceSystem: 'openmrs', actor });
    expect(r.outcome).toBe('created');
    const stored = await registry.service.getSource('http://openmrs.example.org/patient|P-1');
    expect(stored?.goldenId).toBe(r.golden.mpiId);
    const [msg] = await consume(s.topics.patient, 1);
    expect(msg!.key).toBe(r.golden.mpiId);
    expect(msg!.headers.ce_type).toBe('org.passerelle.patient.created');
    expect(msg!.headers.ce_subject).toBe(r.golden.mpiId);
    const bundle = JSON.parse(msg!.value) as { resourceType: string; type: string; entry: Array<{ resource: { resourceType: string } }> };
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'message' });
    expect(bundle.entry[0]!.resource.resourceType).toBe('MessageHeader');
    await s.app.relay.flush();
    expect(await registry.outbox.pending(10)).toEqual([]);
  });

  it('maps a unique-index violation of the store to a 409 conflict OperationOutcome without the value', async () => {
    const db = registry.store.records;
    await db.write({ sources: [], goldens: [], xrefPut: [{ key: 'urn:test:nid|X-1', mpiId: 'SN-DKR-26-AAAAAAAA' }], xrefDel: [] });
    const change = { id: 'dup-guard', seq: 1, at: new Date().toISOString(), operation: 'x', actor: { clientId: 't' }, leases: [], guards: ['g|X-1|1'], writes: { sources: [], goldens: [], xrefPut: [], xrefDel: [] }, reviews: [], merges: [], history: [], events: [], applied: true, unpublished: [] };
    await registry.store.changes.commit(change);
    const err = await registry.store.changes.commit({ ...change, id: 'dup-guard-2' }).catch((e: unknown) => e);
    const normalised = normaliseError(err);
    expect(normalised.info.httpStatus).toBe(409);
    expect(toOperationOutcome(normalised).issue[0]).toMatchObject({ severity: 'error', code: 'conflict' });
    expect(JSON.stringify(toOperationOutcome(normalised))).not.toContain('X-1');
    expect(await db.xref(['urn:test:nid|X-1'])).toEqual([{ key: 'urn:test:nid|X-1', mpiId: 'SN-DKR-26-AAAAAAAA' }]);
  });

  it('concurrent FHIR conditional updates of one identifier make one source record on the real store', async () => {
    const url = `/fhir/Patient?identifier=${encodeURIComponent('http://dhis2.example.org/te|RACE-1')}`;
    const bodies = Array.from({ length: 6 }, (_, i) => ({ ...patient('unused'), identifier: [{ system: 'http://dhis2.example.org/te', value: 'RACE-1' }], telecom: [{ system: 'phone', value: `+22177000000${i}` }] }));
    const responses = await Promise.all(bodies.map((b) => s.app.server.inject({ method: 'PUT', url, payload: b, headers: { 'content-type': 'application/fhir+json' } })));
    const statuses = responses.map((r) => r.statusCode);
    expect(statuses.filter((c) => c === 201)).toHaveLength(1);
    expect(statuses.every((c) => c === 200 || c === 201)).toBe(true);
    expect(new Set(responses.map((r) => (JSON.parse(r.payload) as { id: string }).id)).size).toBe(1);
    const sources = await registry.service.findSourcesByIdentifier({ system: 'http://dhis2.example.org/te', value: 'RACE-1' });
    expect(sources).toHaveLength(1);
  });

  it('two concurrent FHIR updates with the same If-Match on the real store: one 200, one 412', async () => {
    const json = { 'content-type': 'application/fhir+json' };
    const created = await s.app.server.inject({ method: 'POST', url: '/fhir/Patient', payload: patient('IFM-1'), headers: json });
    const id = (JSON.parse(created.payload) as { id: string }).id;
    const edit = (phone: string): ReturnType<typeof s.app.server.inject> => s.app.server.inject({ method: 'PUT', url: `/fhir/Patient/${id}`, payload: { ...patient('IFM-1'), id, telecom: [{ system: 'phone', value: phone }] }, headers: { ...json, 'if-match': 'W/"1"' } });
    const statuses = (await Promise.all([edit('+221770000001'), edit('+221770000002')])).map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 412]);
  });
});
