import { Fhir } from 'fhir';
import { expectValidFhir } from '../../helpers/fhir-schema';
import { buildFhirServer, call } from './helpers';
import { aPatient } from '../../helpers/patients';
import type { FhirTestServer } from './helpers';

const fhir = new Fhir();

describe('formats and errors', () => {
  let t: FhirTestServer;
  let id: string;
  beforeAll(async () => {
    t = await buildFhirServer({ maxBytes: 4096 });
    id = (await call(t.server, 'POST', '/fhir/Patient', aPatient())).body.id as string;
  });

  it('JSON by default, XML with Accept or _format, JSON wins ties', async () => {
    const json = await call(t.server, 'GET', `/fhir/Patient/${id}`);
    expect(json.headers['content-type']).toContain('application/fhir+json');
    const xml = await t.server.inject({ url: `/fhir/Patient/${id}`, headers: { accept: 'application/fhir+xml' } });
    expect(xml.headers['content-type']).toContain('application/fhir+xml');
    expect(xml.payload).toContain('<Patient xmlns="http://hl7.org/fhir">');
    expectValidFhir(fhir.xmlToObj(xml.payload));
    const fmt = await t.server.inject({ url: `/fhir/Patient/${id}?_format=xml` });
    expect(fmt.headers['content-type']).toContain('xml');
    const tie = await call(t.server, 'GET', `/fhir/Patient/${id}`, undefined, { accept: 'application/fhir+xml, application/fhir+json' });
    expect(tie.headers['content-type']).toContain('json');
    expect((await call(t.server, 'GET', `/fhir/Patient/${id}?_format=text/html`)).status).toBe(406);
  });

  it('a reference of the wrong type is a 400, not a validator crash', async () => {
    const res = await call(t.server, 'POST', '/fhir/Patient', { ...aPatient(), managingOrganization: { reference: 5 } });
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it('errors are OperationOutcomes in XML too', async () => {
    const res = await t.server.inject({ url: '/fhir/Patient/nope?_format=xml' });
    expect(res.statusCode).toBe(404);
    const outcome = fhir.xmlToObj(res.payload);
    expectValidFhir(outcome);
    expect(outcome.resourceType).toBe('OperationOutcome');
  });

  it('accepts an XML Patient', async () => {
    const xml = fhir.objToXml(aPatient({ identifier: [{ system: 'urn:xml', value: 'X1' }] }));
    const res = await call(t.server, 'POST', '/fhir/Patient', xml, { 'content-type': 'application/fhir+xml' });
    expect(res.status).toBe(201);
    expect(res.body.identifier).toEqual([{ system: 'urn:xml', value: 'X1' }]);
  });

  it('accepts XML with narrative, extensions and primitive extensions, and names unknown elements in the outcome', async () => {
    const rich = aPatient({
      identifier: [{ system: 'urn:xml', value: 'X2' }],
      text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Awa <b>Diop</b></p></div>' },
      extension: [{ url: 'http://example.org/ethnicity', valueString: 'x' }],
      _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthTime', valueDateTime: '1990-05-12T10:00:00Z' }] },
    });
    const ok = await call(t.server, 'POST', '/fhir/Patient', fhir.objToXml(rich), { 'content-type': 'application/fhir+xml' });
    expect(ok.status).toBe(201);
    const bad = await call(t.server, 'POST', '/fhir/Patient', '<Patient xmlns="http://hl7.org/fhir"><favouriteColour value="blue"/></Patient>', { 'content-type': 'application/fhir+xml' });
    expect(JSON.stringify(bad.body)).toContain('Unknown XML element(s): favouriteColour');
  });

  it.each(['Patient', 'Bundle', 'Parameters', 'OperationOutcome', 'CapabilityStatement'])('JSON → XML → JSON is lossless for %s', async (type) => {
    const urls: Record<string, string> = {
      Patient: `/fhir/Patient/${id}`,
      Bundle: '/fhir/Patient?family=diop',
      Parameters: '/fhir/CodeSystem/$lookup?system=http://hl7.org/fhir/administrative-gender&code=male',
      OperationOutcome: '/fhir/Patient/nope',
      CapabilityStatement: '/fhir/metadata',
    };
    const json = await call(t.server, 'GET', urls[type] as string);
    expect(json.body.resourceType).toBe(type);
    expect(fhir.xmlToObj(fhir.objToXml(json.body))).toEqual(json.body);
    const xmlRes = await t.server.inject({ url: urls[type] as string, headers: { accept: 'application/fhir+xml' } });
    const fromXml = fhir.xmlToObj(xmlRes.payload) as Record<string, unknown>;
    expectValidFhir(fromXml);
    expect(Object.keys(fromXml).sort()).toEqual(Object.keys(json.body).sort());
  });

  it.each([
    ['malformed JSON', '{"resourceType": "Patient",', 'application/fhir+json', 400],
    ['malformed XML', '<Patient xmlns="http://hl7.org/fhir"><id value="1">', 'application/fhir+xml', 400],
    ['XML without the FHIR namespace', '<Patient><id value="1"/></Patient>', 'application/fhir+xml', 400],
    ['XXE', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Patient xmlns="http://hl7.org/fhir"><id value="&e;"/></Patient>', 'application/fhir+xml', 400],
    ['wrong resourceType', JSON.stringify({ resourceType: 'Observation', status: 'final', code: { text: 'x' } }), 'application/fhir+json', 400],
    ['invalid date', JSON.stringify(aPatient({ birthDate: '1980-13-45' })), 'application/fhir+json', 400],
    ['unknown element', JSON.stringify({ ...aPatient(), favouriteColour: 'blue' }), 'application/fhir+json', 400],
    ['unknown XML element', '<Patient xmlns="http://hl7.org/fhir"><favouriteColour value="blue"/><gender value="female"/></Patient>', 'application/fhir+xml', 400],
    ['unknown nested XML element', '<Patient xmlns="http://hl7.org/fhir"><name><family value="Diop"/><nickname value="Awa"/></name></Patient>', 'application/fhir+xml', 400],
    ['operator in a value', JSON.stringify({ ...aPatient(), identifier: [{ system: 'urn:x', value: { $ne: null } }] }), 'application/fhir+json', 400],
    ['$where key', JSON.stringify({ ...aPatient(), $where: 'sleep(1000)' }), 'application/fhir+json', 400],
    ['unsupported media type', 'family=x', 'text/plain', 415],
    ['body over the limit', JSON.stringify(aPatient({ name: [{ family: 'x'.repeat(5000) }] })), 'application/fhir+json', 413],
  ])('%s → %i OperationOutcome', async (_name, payload, contentType, status) => {
    const res = await call(t.server, 'POST', '/fhir/Patient', payload, { 'content-type': contentType });
    expect(res.status).toBe(status);
    expect(res.body.resourceType).toBe('OperationOutcome');
    expect(res.raw).not.toMatch(/at .*\.ts:\d+/);
  });

  it('an id in the body must match the URL', async () => {
    const res = await call(t.server, 'PUT', `/fhir/Patient/${id}`, aPatient({ id: 'other' }));
    expect(res.status).toBe(400);
  });

  it('unknown routes are OperationOutcomes', async () => {
    const res = await call(t.server, 'GET', '/fhir/Observation/1');
    expect(res.status).toBe(404);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });
});
