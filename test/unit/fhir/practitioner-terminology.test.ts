import type { Bundle, ConceptMap, Parameters, Practitioner, ValueSet } from 'fhir/r4';
import { PRACTITIONER_PATIENT_URL } from '../../../src/fhir/extensions';
import { bundledTerminologyDir, loadTerminology } from '../../../src/terminology/load';
import { createTranslator, translate } from '../../../src/terminology/translate';
import { buildFhirServer, call, NID } from './helpers';
import { aPatient } from '../../helpers/patients';
import type { FhirTestServer } from './helpers';

const B = 'https://passerelle.health/fhir';

describe('Practitioner', () => {
  let t: FhirTestServer;
  beforeAll(async () => {
    t = await buildFhirServer();
    await call(t.server, 'POST', '/fhir/Patient', aPatient({ identifier: [{ system: NID, value: 'HW-1' }] }));
    await t.practitioners.upsert({ resourceType: 'Practitioner', id: 'ihris-1', identifier: [{ system: NID, value: 'HW-1' }], name: [{ family: 'Diop', given: ['Awa'] }] });
    await t.practitioners.upsert({ resourceType: 'Practitioner', id: 'ihris-2', identifier: [{ system: 'urn:ihris', value: '2' }], name: [{ family: 'Sy', given: ['Binta'] }] });
  });

  it('reads a health worker with the link to the Patient golden record', async () => {
    const res = await call(t.server, 'GET', '/fhir/Practitioner/ihris-1');
    const ext = (res.body as unknown as Practitioner).extension?.find((e) => e.url === PRACTITIONER_PATIENT_URL);
    expect(ext?.valueReference?.reference).toMatch(/^Patient\/SN-/);
    expect((await call(t.server, 'GET', '/fhir/Practitioner/ihris-2')).body.extension).toBeUndefined();
    expect((await call(t.server, 'GET', '/fhir/Practitioner/nope')).status).toBe(404);
  });

  it('searches by name and identifier', async () => {
    const byName = await call(t.server, 'GET', '/fhir/Practitioner?family=sy');
    expect((byName.body as unknown as Bundle).entry?.map((e) => e.resource?.id)).toEqual(['ihris-2']);
    const byId = await call(t.server, 'GET', `/fhir/Practitioner?identifier=${NID}|HW-1`);
    expect(byId.body.total).toBe(1);
  });
});

describe('terminology', () => {
  let t: FhirTestServer;
  beforeAll(async () => {
    t = await buildFhirServer();
  });

  function param(body: Record<string, unknown>, name: string): unknown {
    const p = (body as unknown as Parameters).parameter?.find((x) => x.name === name);
    return p?.valueBoolean ?? p?.valueString ?? p?.part;
  }

  it('$lookup and $validate-code', async () => {
    const lookup = await call(t.server, 'GET', `/fhir/CodeSystem/$lookup?system=${B}/CodeSystem/dhis2-gender&code=male`);
    expect(param(lookup.body, 'display')).toBe('Male');
    const ok = await call(t.server, 'GET', '/fhir/ValueSet/$validate-code?url=http://hl7.org/fhir/ValueSet/administrative-gender&code=female');
    expect(param(ok.body, 'result')).toBe(true);
    const bad = await call(t.server, 'GET', '/fhir/CodeSystem/$validate-code?url=http://hl7.org/fhir/administrative-gender&code=robot');
    expect(param(bad.body, 'result')).toBe(false);
    expect((await call(t.server, 'GET', '/fhir/CodeSystem/$lookup?system=urn:none&code=x')).status).toBe(404);
  });

  it('$expand and $translate (GET and POST)', async () => {
    const ex = await call(t.server, 'GET', `/fhir/ValueSet/$expand?url=${B}/ValueSet/dhis2-blood-type`);
    expect((ex.body as unknown as ValueSet).expansion?.total).toBe(8);
    const tr = await call(t.server, 'GET', `/fhir/ConceptMap/$translate?url=${B}/ConceptMap/dhis2-gender-to-fhir&system=${B}/CodeSystem/dhis2-gender&code=Female`);
    expect(JSON.stringify(tr.body)).toContain('"code":"female"');
    const post = await call(t.server, 'POST', '/fhir/ConceptMap/$translate', { resourceType: 'Parameters', parameter: [{ name: 'url', valueUri: `${B}/ConceptMap/fhir-gender-to-dhis2` }, { name: 'code', valueCode: 'male' }] });
    expect(JSON.stringify(post.body)).toContain('"code":"Male"');
    const search = await call(t.server, 'GET', '/fhir/ConceptMap');
    expect(search.body.total).toBe(4);
  });

  it('the pure translate function backs JSONata $translate', () => {
    const maps = loadTerminology([bundledTerminologyDir()]).filter((r): r is ConceptMap => r.resourceType === 'ConceptMap');
    const tr = createTranslator(maps);
    expect(tr(`${B}/ConceptMap/dhis2-gender-to-fhir`, undefined, 'Male')).toBe('male');
    expect(tr(`${B}/ConceptMap/dhis2-gender-to-fhir`, undefined, 'Robot')).toBe('unknown');
    expect(translate(maps, `${B}/ConceptMap/identifier-type-to-v2-0203`, undefined, 'NI')[0]?.code).toBe('NI');
  });
});
