import type { Bundle, OperationOutcome, Parameters, Patient } from 'fhir/r4';
import { MATCH_EXPLANATION_URL, MATCH_GRADE_URL } from '../../../src/fhir/extensions';
import { buildFhirServer, call, DHIS2, NID } from './helpers';
import { aPatient } from '../../helpers/patients';
import type { FhirTestServer } from './helpers';

const OPENMRS = 'urn:openmrs:patient';

describe('PIXm, $cross-reference and $match', () => {
  let t: FhirTestServer;
  let goldenRef: string;
  beforeAll(async () => {
    t = await buildFhirServer();
    const a = await call(t.server, 'POST', '/fhir/Patient', aPatient({ identifier: [{ system: NID, value: '1111' }, { system: DHIS2, value: 'TE1' }] }));
    goldenRef = (a.body.link as Array<{ other: { reference: string } }>)[0]?.other.reference ?? '';
    // Same person from OpenMRS: same national id → linked to the same golden record.
    const b = await call(t.server, 'POST', '/fhir/Patient', aPatient({ identifier: [{ system: OPENMRS, value: 'OM-9' }, { system: NID, value: '1111' }] }));
    expect(b.headers['x-passerelle-golden-record']).toBe(goldenRef);
    await call(t.server, 'POST', '/fhir/Patient', aPatient({ identifier: [{ system: NID, value: '2222' }], name: [{ family: 'Ba', given: ['Ousmane'] }], gender: 'male', birthDate: '1950-01-01', telecom: [{ system: 'phone', value: '+221779999999' }], address: [{ city: 'Ziguinchor' }] }));
  });

  function params(body: Record<string, unknown>): Array<{ name: string; value: string }> {
    return ((body as unknown as Parameters).parameter ?? []).map((p) => ({ name: p.name, value: p.valueIdentifier ? `${p.valueIdentifier.system}|${p.valueIdentifier.value}` : (p.valueReference?.reference ?? '') }));
  }

  it('returns identifiers and ids in every domain, never the source identifier', async () => {
    const res = await call(t.server, 'GET', `/fhir/Patient/$ihe-pix?sourceIdentifier=${encodeURIComponent(`${DHIS2}|TE1`)}`);
    expect(res.status).toBe(200);
    const p = params(res.body);
    expect(p).toContainEqual({ name: 'targetIdentifier', value: `${OPENMRS}|OM-9` });
    expect(p).toContainEqual({ name: 'targetIdentifier', value: `${NID}|1111` });
    expect(p).not.toContainEqual({ name: 'targetIdentifier', value: `${DHIS2}|TE1` });
    expect(p).toContainEqual({ name: 'targetId', value: goldenRef });
    expect(p.filter((x) => x.name === 'targetId').length).toBe(3);
  });

  it('filters on several targetSystems; $cross-reference answers the same', async () => {
    const qs = `sourceIdentifier=${encodeURIComponent(`${DHIS2}|TE1`)}&targetSystem=${encodeURIComponent(OPENMRS)}&targetSystem=${encodeURIComponent(NID)}`;
    const pix = await call(t.server, 'GET', `/fhir/Patient/$ihe-pix?${qs}`);
    const xref = await call(t.server, 'GET', `/fhir/$cross-reference?${qs}`);
    expect(params(pix.body).filter((p) => p.name === 'targetIdentifier').map((p) => p.value).sort()).toEqual([`${NID}|1111`, `${OPENMRS}|OM-9`]);
    expect(params(xref.body)).toEqual(params(pix.body));
  });

  it.each([
    ['domain known, id not found', `sourceIdentifier=${encodeURIComponent(`${NID}|9999`)}`, 404, 'not-found', 'sourceIdentifier Patient Identifier not found'],
    ['source domain unknown', `sourceIdentifier=${encodeURIComponent('urn:nope|1')}`, 400, 'code-invalid', 'sourceIdentifier Assigning Authority not found'],
    ['targetSystem unknown', `sourceIdentifier=${encodeURIComponent(`${NID}|1111`)}&targetSystem=urn:nope`, 403, 'code-invalid', 'targetSystem not found'],
    ['no sourceIdentifier', 'targetSystem=urn:nope', 400, 'code-invalid', 'Exactly one sourceIdentifier is required'],
  ])('%s', async (_n, qs, status, code, diagnostics) => {
    const res = await call(t.server, 'GET', `/fhir/Patient/$ihe-pix?${qs}`);
    expect(res.status).toBe(status);
    const issue = (res.body as unknown as OperationOutcome).issue[0];
    expect(issue).toMatchObject({ severity: 'error', code, diagnostics });
  });

  it('$match returns scored golden records with match-grade and an explanation', async () => {
    const probe = { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: aPatient({ identifier: undefined, telecom: undefined }) }, { name: 'count', valueInteger: 5 }] };
    const res = await call(t.server, 'POST', '/fhir/Patient/$match', probe);
    expect(res.status).toBe(200);
    const b = res.body as unknown as Bundle;
    const first = b.entry?.[0];
    expect(first?.fullUrl).toBe(`http://mpi.test/fhir/${goldenRef}`);
    expect(first?.search?.mode).toBe('match');
    expect(first?.search?.score).toBeGreaterThan(0.5);
    const grade = first?.search?.extension?.find((e) => e.url === MATCH_GRADE_URL)?.valueCode;
    expect(['certain', 'probable', 'possible']).toContain(grade);
    const expl = first?.search?.extension?.find((e) => e.url === MATCH_EXPLANATION_URL);
    expect(expl?.extension?.some((e) => e.url === 'field')).toBe(true);
  });

  it('$match onlyCertainMatches returns at most one certain match', async () => {
    const probe = { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: aPatient({ name: [{ family: 'Nobody', given: ['Zz'] }], identifier: [{ system: NID, value: '5555' }], birthDate: '1900-01-01', telecom: undefined, address: undefined }) }, { name: 'onlyCertainMatches', valueBoolean: true }] };
    const res = await call(t.server, 'POST', '/fhir/Patient/$match', probe);
    expect(res.status).toBe(200);
    expect(((res.body as unknown as Bundle).entry ?? []).length).toBeLessThanOrEqual(1);
  });

  it('$match rejects a missing or empty resource', async () => {
    expect((await call(t.server, 'POST', '/fhir/Patient/$match', { resourceType: 'Parameters', parameter: [] })).status).toBe(400);
    expect((await call(t.server, 'POST', '/fhir/Patient/$match', { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: { resourceType: 'Patient' } }] })).status).toBe(400);
  });

  it('golden records read as Patients; a replaced-by update merges (ITI-104)', async () => {
    const other = await call(t.server, 'GET', `/fhir/Patient?identifier=${NID}|2222&record=source`);
    const src = (other.body as unknown as Bundle).entry?.[0]?.resource as Patient;
    const oldGolden = src.link?.[0]?.other.reference ?? '';
    const merged = { ...src, meta: undefined, active: false, link: [{ type: 'replaced-by', other: { reference: goldenRef } }] };
    delete merged.meta;
    const res = await call(t.server, 'PUT', `/fhir/Patient/${src.id}`, merged);
    expect(res.status).toBe(200);
    expect(res.headers['x-passerelle-golden-record']).toBe(goldenRef);
    const retired = await call(t.server, 'GET', `/fhir/${oldGolden}`);
    expect(retired.status).toBe(200);
    expect(retired.body.active).toBe(false);
    expect(retired.body.link).toEqual([{ other: { reference: goldenRef }, type: 'replaced-by' }]);
  });
});
