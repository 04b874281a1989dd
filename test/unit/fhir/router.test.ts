/**
 * FhirRouter (src/fhir/router.ts): the route table the hapi adapter registers and batch, transaction
 * and PMIR entries dispatch through — so both must resolve a path to the same handler.
 */
import { MediatorError } from '../../../src/core/errors';
import { dispatch } from '../../../src/fhir/dispatch';
import { FhirFormats } from '../../../src/fhir/format';
import { FhirRouter, toHapiPath } from '../../../src/fhir/router';
import { buildRouter } from '../../../src/fhir/routes';
import type { FhirContext, FhirHandler, FhirRequest, HttpMethod } from '../../../src/fhir/types';

/** A handler that answers with its own name, so a test can see which route ran. */
const named = (name: string): FhirHandler => async () => [{ resourceType: 'OperationOutcome', id: 'ok', issue: [{ severity: 'information', code: 'informational', diagnostics: name }] }];

function table(): FhirRouter {
  return new FhirRouter()
    .add({ method: 'GET', path: 'Patient/:id', handler: named('read'), scope: 'system/Patient.read' })
    .add({ method: 'GET', path: 'Patient/_history', handler: named('type-history'), scope: 'system/Patient.read' })
    .add({ method: 'GET', path: 'Patient/:id/_history/:vid', handler: named('vread'), scope: 'system/Patient.read' })
    .add({ method: 'GET', path: 'Patient/$ihe-pix', handler: named('pix'), scope: 'system/Patient.read' })
    .add({ method: 'PUT', path: 'Patient/:id', handler: named('update'), scope: 'system/Patient.write' })
    .add({ method: 'GET', path: 'metadata', handler: named('metadata'), public: true })
    .add({ method: 'POST', path: '', handler: named('bundle'), scope: 'system/Patient.write' });
}

describe('FhirRouter.find', () => {
  const router = table();
  const found = (method: HttpMethod, path: string): string | undefined => {
    const m = router.find(method, path);
    return m ? `${m.route.path} ${JSON.stringify(m.params)}` : undefined;
  };

  test.each([
    ['GET', 'Patient/123', 'Patient/:id {"id":"123"}'],
    ['GET', 'Patient/_history', 'Patient/_history {}'],
    ['GET', 'Patient/$ihe-pix', 'Patient/$ihe-pix {}'],
    ['GET', 'Patient/123/_history/2', 'Patient/:id/_history/:vid {"id":"123","vid":"2"}'],
    ['PUT', 'Patient/123', 'Patient/:id {"id":"123"}'],
    ['GET', 'metadata', 'metadata {}'],
    ['POST', '', ' {}'],
    ['GET', '/Patient//123/', 'Patient/:id {"id":"123"}'],
    ['GET', 'Patient/a%20b%2Fc', 'Patient/:id {"id":"a b/c"}'],
    ['GET', 'Patient/100%', 'Patient/:id {"id":"100%"}'],
  ] as Array<[HttpMethod, string, string]>)('%s %s → %s', (method, path, expected) => {
    expect(found(method, path)).toBe(expected);
  });

  test.each([
    ['DELETE', 'Patient/123'],
    ['GET', 'Patient/123/_history'],
    ['GET', 'Observation/1'],
    ['POST', 'metadata'],
    ['GET', ''],
  ] as Array<[HttpMethod, string]>)('%s %s matches nothing', (method, path) => {
    expect(router.find(method, path)).toBeUndefined();
  });

  test('a literal segment wins over a parameter whatever the order routes were added in', () => {
    const reversed = new FhirRouter()
      .add({ method: 'GET', path: 'Patient/_history', handler: named('type-history') })
      .add({ method: 'GET', path: 'Patient/:id', handler: named('read') });
    expect(reversed.find('GET', 'Patient/_history')?.route.path).toBe('Patient/_history');
    expect(reversed.find('GET', 'Patient/42')?.route.path).toBe('Patient/:id');
  });
});

describe('toHapiPath', () => {
  test.each([
    ['Patient/:id/_history/:vid', '/fhir/Patient/{id}/_history/{vid}'],
    ['Patient/$match', '/fhir/Patient/$match'],
    ['', '/fhir'],
  ])('%s → %s', (template, hapi) => expect(toHapiPath('/fhir', template)).toBe(hapi));
});

describe('dispatch through the table', () => {
  const router = table();
  const api = {} as FhirContext;
  const req = (method: HttpMethod, path: string, scopes?: string[]): FhirRequest => ({ method, path, params: {}, query: {}, actor: { clientId: 't' }, ...(scopes ? { scopes } : {}) });
  const ran = async (r: FhirRequest): Promise<string | undefined> => (await dispatch(router, api, r))[0].issue[0]?.diagnostics;

  test('runs the matched handler with the path parameters', async () => {
    const handler = jest.fn(named('read'));
    const own = new FhirRouter().add({ method: 'GET', path: 'Patient/:id', handler });
    await dispatch(own, api, req('GET', 'Patient/abc'));
    expect(handler.mock.calls[0]?.[0].params).toEqual({ id: 'abc' });
  });

  test("enforces the route's scope when the caller's scopes are known", async () => {
    expect(await ran(req('PUT', 'Patient/1', ['system/Patient.write']))).toBe('update');
    await expect(ran(req('PUT', 'Patient/1', ['system/Patient.read']))).rejects.toMatchObject({ code: 'forbidden' });
    expect(await ran(req('GET', 'metadata', []))).toBe('metadata');
  });

  test('an unknown route is not-found', async () => {
    await expect(ran(req('GET', 'Encounter/1'))).rejects.toBeInstanceOf(MediatorError);
    await expect(ran(req('GET', 'Encounter/1'))).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe("the FHIR API's route table", () => {
  const router = buildRouter(new FhirFormats());

  test('every route declares a scope or is public, and no two routes share a method and path', () => {
    expect(router.routes.filter((r) => !r.public && !r.scope).map((r) => `${r.method} ${r.path}`)).toEqual([]);
    const keys = router.routes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test.each([
    ['GET', 'Patient/SN-DKR-26-AAAAAAAA', 'Patient/:id', 'system/Patient.read'],
    ['GET', 'Patient/SN-DKR-26-AAAAAAAA/_history/3', 'Patient/:id/_history/:vid', 'system/Patient.read'],
    ['GET', 'Patient/_history', 'Patient/_history', 'system/Patient.read'],
    ['POST', 'Patient/$match', 'Patient/$match', 'system/Patient.read'],
    ['POST', 'Patient/_search', 'Patient/_search', 'system/Patient.read'],
    ['DELETE', 'Patient', 'Patient', 'system/Patient.write'],
    ['POST', '', '', 'system/Patient.write'],
    ['GET', 'Practitioner/hw-1', 'Practitioner/:id', 'system/Practitioner.read'],
  ] as Array<[HttpMethod, string, string, string]>)('%s %s → %s, needing %s', (method, path, template, scope) => {
    const m = router.find(method, path);
    expect(m?.route.path).toBe(template);
    expect(m?.route.scope).toBe(scope);
  });

  test('metadata and terminology are public', () => {
    expect(router.find('GET', 'metadata')?.route.public).toBe(true);
    expect(router.find('POST', 'ConceptMap/$translate')?.route.public).toBe(true);
  });
});
