import type { Bundle, CapabilityStatement, MessageHeader, OperationOutcome, Patient } from 'fhir/r4';
import { CHANGED_FIELD_URL, PMIR_EVENT } from '../../../src/fhir/extensions';
import { buildFhirServer, call, DHIS2 } from './helpers';
import { aPatient } from '../../helpers/patients';
import type { FhirTestServer } from './helpers';

function pmirMessage(entries: NonNullable<Bundle['entry']>): Bundle {
  return {
    resourceType: 'Bundle', type: 'message',
    entry: [
      { fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000001', resource: { resourceType: 'MessageHeader', id: 'm1', eventUri: PMIR_EVENT, source: { endpoint: 'http://source.example' }, focus: [{ reference: 'urn:uuid:00000000-0000-4000-8000-000000000002' }] } as MessageHeader },
      { fullUrl: 'urn:uuid:00000000-0000-4000-8000-000000000002', resource: { resourceType: 'Bundle', type: 'history', entry: entries } as Bundle },
    ],
  };
}

describe('history, batch, transaction, PMIR and metadata', () => {
  let t: FhirTestServer;
  beforeEach(async () => {
    t = await buildFhirServer();
  });

  it('instance and type history list versions with their changed fields', async () => {
    const created = await call(t.server, 'POST', '/fhir/Patient', aPatient());
    const id = created.body.id as string;
    await call(t.server, 'PUT', `/fhir/Patient/${id}`, aPatient({ id, gender: 'other' }));
    const h = await call(t.server, 'GET', `/fhir/Patient/${id}/_history`);
    const b = h.body as unknown as Bundle;
    expect(b.type).toBe('history');
    expect(b.entry?.map((e) => (e.resource as Patient).meta?.versionId)).toEqual(['2', '1']);
    const changed = (b.entry?.[0]?.resource as Patient).meta?.extension?.filter((e) => e.url === CHANGED_FIELD_URL).map((e) => e.valueString);
    expect(changed).toContain('gender');
    const type = await call(t.server, 'GET', '/fhir/Patient/_history?_count=10');
    expect((type.body as unknown as Bundle).total).toBeGreaterThanOrEqual(2);
  });

  it('batch: each entry on its own', async () => {
    const batch: Bundle = {
      resourceType: 'Bundle', type: 'batch',
      entry: [
        { resource: aPatient({ identifier: [{ system: DHIS2, value: 'B1' }] }), request: { method: 'POST', url: 'Patient' } },
        { resource: { ...aPatient(), birthDate: '1980-13-45' } as Patient, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'GET', url: 'Patient?identifier=urn:dhis2:te|B1&record=source' } },
      ],
    };
    const res = await call(t.server, 'POST', '/fhir', batch);
    expect(res.status).toBe(200);
    const entries = (res.body as unknown as Bundle).entry ?? [];
    expect(entries.map((e) => e.response?.status)).toEqual(['201 Created', '400', '200 OK']);
    expect(((entries[2]?.resource as Bundle).total)).toBe(1);
  });

  it('transaction: all or nothing with one OperationOutcome', async () => {
    const bad: Bundle = {
      resourceType: 'Bundle', type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:6b0a0c48-0000-4000-8000-000000000001', resource: aPatient({ identifier: [{ system: DHIS2, value: 'T1' }] }), request: { method: 'POST', url: 'Patient' } },
        { resource: { ...aPatient(), unknownThing: 1 } as Patient, request: { method: 'POST', url: 'Patient' } },
      ],
    };
    const failed = await call(t.server, 'POST', '/fhir', bad);
    expect(failed.status).toBe(400);
    expect(failed.body.resourceType).toBe('OperationOutcome');
    expect((await call(t.server, 'GET', `/fhir/Patient?identifier=${DHIS2}|T1&record=source`)).body.total).toBe(0);
    const good: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [bad.entry?.[0] as NonNullable<Bundle['entry']>[number], { resource: aPatient({ identifier: [{ system: DHIS2, value: 'T2' }], name: [{ family: 'Kane', given: ['Aliou'] }], gender: 'male', birthDate: '1977-07-07' }), request: { method: 'PUT', url: `Patient?identifier=${DHIS2}|T2` } }] };
    const ok = await call(t.server, 'POST', '/fhir', good);
    expect(ok.status).toBe(200);
    expect((ok.body as unknown as Bundle).type).toBe('transaction-response');
    expect((ok.body as unknown as Bundle).entry?.map((e) => e.response?.status)).toEqual(['201 Created', '201 Created']);
  });

  it('PMIR: a message Bundle focusing a history Bundle creates, merges and deletes', async () => {
    const survivor = aPatient({ identifier: [{ system: DHIS2, value: 'P1' }] });
    const loser = aPatient({ identifier: [{ system: DHIS2, value: 'P2' }], name: [{ family: 'Faye', given: ['Rama'] }], birthDate: '1999-09-09', telecom: [{ system: 'phone', value: '+221775555555' }] });
    const message = pmirMessage;
    const create = await call(t.server, 'POST', '/fhir/$process-message', message([
      { resource: survivor, request: { method: 'POST', url: 'Patient' }, response: { status: '201' } },
      { resource: loser, request: { method: 'POST', url: 'Patient' }, response: { status: '201' } },
    ]));
    expect(create.status).toBe(200);
    const header = (create.body as unknown as Bundle).entry?.[0]?.resource as MessageHeader;
    expect(header.response).toEqual({ identifier: 'm1', code: 'ok' });
    const merge = await call(t.server, 'POST', '/fhir', message([
      { resource: { ...loser, active: false, link: [{ type: 'replaced-by', other: { identifier: { system: DHIS2, value: 'P1' } } }] } as Patient, request: { method: 'PUT', url: `Patient?identifier=${DHIS2}|P2` }, response: { status: '200' } },
      { request: { method: 'DELETE', url: `Patient?identifier=${DHIS2}|P1` }, response: { status: '204' } },
    ]));
    expect(((merge.body as unknown as Bundle).entry?.[0]?.resource as MessageHeader).response?.code).toBe('ok');
    const pix = await call(t.server, 'GET', `/fhir/Patient/$ihe-pix?sourceIdentifier=${DHIS2}|P2`);
    expect(pix.status).toBe(200);
  });

  it('PMIR: a replayed message changes nothing the second time (one source record, one golden record)', async () => {
    const p = aPatient({ identifier: [{ system: DHIS2, value: 'REPLAY1' }] });
    const message = pmirMessage([{ resource: p, request: { method: 'POST', url: 'Patient' }, response: { status: '201' } }]);
    const first = await call(t.server, 'POST', '/fhir/$process-message', message);
    const again = await call(t.server, 'POST', '/fhir/$process-message', message);
    for (const r of [first, again]) expect(((r.body as unknown as Bundle).entry?.[0]?.resource as MessageHeader).response?.code).toBe('ok');
    const sources = await call(t.server, 'GET', `/fhir/Patient?record=source&identifier=${encodeURIComponent(`${DHIS2}|REPLAY1`)}`);
    expect(sources.body.total).toBe(1);
    const source = (sources.body.entry as Array<{ resource: Patient }>)[0]!.resource;
    expect(source.meta?.versionId).toBe('1');
    const history = await call(t.server, 'GET', `/fhir/Patient/${source.id ?? ''}/_history`);
    expect(history.body.total).toBe(1);
    const goldens = await call(t.server, 'GET', `/fhir/Patient?identifier=${encodeURIComponent(`${DHIS2}|REPLAY1`)}`);
    expect(goldens.body.total).toBe(1);
  });

  it('PMIR: removing the replaced-by link of a merged Patient (unmerge) gets 405 until unmerged through /mpi/unmerge', async () => {
    const survivor = aPatient({ identifier: [{ system: DHIS2, value: 'P1' }] });
    const loser = aPatient({ identifier: [{ system: DHIS2, value: 'P2' }], name: [{ family: 'Faye', given: ['Rama'] }], birthDate: '1999-09-09', telecom: [{ system: 'phone', value: '+221775555555' }] });
    const send = async (entries: NonNullable<Bundle['entry']>): Promise<NonNullable<Bundle['entry']>> => {
      const res = await call(t.server, 'POST', '/fhir/$process-message', pmirMessage(entries));
      expect(res.status).toBe(200);
      return ((res.body as unknown as Bundle).entry?.[1]?.resource as Bundle).entry ?? [];
    };
    await send([{ resource: survivor, request: { method: 'POST', url: 'Patient' } }, { resource: loser, request: { method: 'POST', url: 'Patient' } }]);
    const source = (await t.registry.findSourcesByIdentifier({ system: DHIS2, value: 'P2' }))[0];
    const retired = source?.goldenId as string;
    const merged = await send([{ resource: { ...loser, active: false, link: [{ type: 'replaced-by', other: { identifier: { system: DHIS2, value: 'P1' } } }] } as Patient, request: { method: 'PUT', url: `Patient?identifier=${DHIS2}|P2` } }]);
    expect(merged[0]?.response?.status).toMatch(/^200/);
    expect((await t.registry.getGolden(retired))?.redirectedFrom).toBe(retired);
    const id = source?.id as string;
    const again = await send([{ resource: { ...loser, active: false, link: [{ type: 'replaced-by', other: { identifier: { system: DHIS2, value: 'P1' } } }] } as Patient, request: { method: 'PUT', url: `Patient/${id}` } }]);
    expect(again[0]?.response?.status).toMatch(/^200/);
    for (const url of [`Patient/${id}`, `Patient?identifier=${DHIS2}|P2`]) {
      const [entry] = await send([{ resource: { ...loser, id }, request: { method: 'PUT', url } }]);
      expect(entry?.response?.status).toBe('405');
      const diagnostics = (entry?.response?.outcome as OperationOutcome | undefined)?.issue[0]?.diagnostics;
      expect(diagnostics).toContain('not allowed by local policy');
      expect(diagnostics).toContain('POST /mpi/unmerge');
    }
    expect((await t.registry.getGolden(retired))?.redirectedFrom).toBe(retired);
    await t.registry.unmerge(retired, { clientId: 'test-client', userId: 'steward' });
    const [after] = await send([{ resource: { ...loser, id }, request: { method: 'PUT', url: `Patient/${id}` } }]);
    expect(after?.response?.status).toMatch(/^200/);
    const [other] = await send([{ resource: { ...survivor, gender: 'male' } as Patient, request: { method: 'PUT', url: `Patient?identifier=${DHIS2}|P1` } }]);
    expect(other?.response?.status).toMatch(/^200/);
  });

  it('metadata lists exactly the routes, publicly', async () => {
    const res = await call(t.server, 'GET', '/fhir/metadata');
    const cs = res.body as unknown as CapabilityStatement;
    const patient = cs.rest?.[0]?.resource?.find((r) => r.type === 'Patient');
    expect(patient?.interaction?.map((i) => i.code).sort()).toEqual(['create', 'delete', 'history-instance', 'history-type', 'patch', 'read', 'search-type', 'update', 'vread']);
    expect(patient?.conditionalUpdate).toBe(true);
    expect(patient?.operation?.map((o) => o.name).sort()).toEqual(['ihe-pix', 'match']);
    expect(patient?.searchParam?.find((p) => p.name === 'identifier')?.documentation).toContain('system|');
    expect(cs.rest?.[0]?.interaction?.map((i) => i.code)).toEqual(['batch', 'transaction']);
    const route = t.server.match('GET', '/fhir/metadata');
    expect(route?.settings.plugins).toEqual({ passerelle: { public: true } });
    expect(t.server.match('GET', '/fhir/Patient/x')?.settings.plugins).toEqual({ passerelle: { scope: 'system/Patient.read' } });
  });
});
