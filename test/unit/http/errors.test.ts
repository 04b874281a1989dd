/**
 * The one error path (src/http/errors.ts): one onPreResponse extension renders every error, with the
 * renderer of the surface the path belongs to — OperationOutcome under /fhir, problem+json under
 * /mpi, plain JSON everywhere else.
 */
import Hapi from '@hapi/hapi';
import type { Server } from '@hapi/hapi';
import { MediatorError } from '../../../src/core/errors';
import { fhirErrorSurface } from '../../../src/fhir/adapter';
import { FhirFormats } from '../../../src/fhir/format';
import { fhirPlugin } from '../../../src/fhir/plugin';
import { addErrorSurface, errorMapperPlugin } from '../../../src/http/errors';
import { problemRenderer } from '../../../src/mpi-api/problem';
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import { memoryLogger } from '../../helpers/silent-logger';

const unavailable = new MediatorError('unavailable', 'Passerelle is starting', { retryAfterSeconds: 5 });

async function serverWithSurfaces(): Promise<{ server: Server; lines: string[] }> {
  const { logger, lines } = memoryLogger();
  const server = Hapi.server({ debug: false });
  await server.register({ plugin: errorMapperPlugin, options: { logger } });
  addErrorSurface(server, fhirErrorSurface(new FhirFormats()));
  addErrorSurface(server, { prefix: '/mpi', render: problemRenderer });
  for (const base of ['/fhir', '/mpi', '/other']) {
    server.route({ method: 'GET', path: `${base}/crash`, handler: () => { throw new Error('connection string mongodb://admin:secret@db'); } });
    server.route({ method: 'GET', path: `${base}/starting`, handler: () => { throw unavailable; } });
  }
  server.route({ method: 'GET', path: '/fhirish/x', handler: () => { throw new MediatorError('conflict', 'no'); } });
  await server.initialize();
  return { server, lines };
}

describe('one error path, a renderer per surface', () => {
  test.each([
    ['/fhir', 'application/fhir+json', { resourceType: 'OperationOutcome', issue: [{ severity: 'fatal', code: 'exception', diagnostics: 'Internal error' }] }],
    ['/mpi', 'application/problem+json', { type: 'urn:passerelle:problem:internal', title: 'Internal error', status: 500, detail: 'Internal error' }],
    ['/other', 'application/json', { statusCode: 500, code: 'internal', error: 'Internal error', message: 'Internal error' }],
  ])('an unexpected error under %s: 500 in that surface, no internals, logged once', async (base, type, body) => {
    const { server, lines } = await serverWithSurfaces();
    const res = await server.inject(`${base}/crash`);
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toContain(type);
    expect(JSON.parse(res.payload)).toEqual(body);
    expect(res.payload).not.toContain('secret');
    expect(lines.filter((l) => l.includes('request failed'))).toHaveLength(1);
  });

  test.each(['/fhir', '/mpi', '/other'])('Retry-After is set for a retryable error under %s', async (base) => {
    const { server } = await serverWithSurfaces();
    const res = await server.inject(`${base}/starting`);
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
  });

  test('a surface owns its prefix and the paths under it, not a longer word that starts the same', async () => {
    const { server } = await serverWithSurfaces();
    const res = await server.inject('/fhirish/x');
    expect(res.headers['content-type']).toContain('application/json');
    expect(JSON.parse(res.payload)).toEqual({ statusCode: 409, code: 'conflict', error: 'Conflict', message: 'no' });
  });

  test('the FHIR surface answers in the negotiated format, JSON when the format itself is refused', async () => {
    const { server } = await serverWithSurfaces();
    const xml = await server.inject('/fhir/starting?_format=xml');
    expect(xml.headers['content-type']).toContain('application/fhir+xml');
    expect(xml.payload).toContain('<OperationOutcome xmlns="http://hl7.org/fhir">');
    const refused = await server.inject('/fhir/starting?_format=yaml');
    expect(refused.headers['content-type']).toContain('application/fhir+json');
  });

  test('two renderers for one prefix are refused', async () => {
    const { server } = await serverWithSurfaces();
    expect(() => addErrorSurface(server, { prefix: '/mpi', render: problemRenderer })).toThrow('two error renderers for /mpi');
  });

  test('an API registered without the error path fails loudly instead of answering in hapi\'s own format', async () => {
    const server = Hapi.server({ debug: false });
    await expect(server.register({ plugin: fhirPlugin, options: { registry: {} as never, practitioners: {} as never, terminology: {} as never, baseUrl: 'http://x/fhir' } }))
      .rejects.toThrow('register passerelle-error-mapper (src/http/errors.ts) before the API under /fhir');
  });
});

describe('the composed app', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(async () => app.stop());

  test('each surface answers an unknown resource in its own format', async () => {
    const fhir = await app.server.inject('/fhir/Patient/SN-DKR-26-AAAAAAAA');
    expect(fhir.statusCode).toBe(404);
    expect(JSON.parse(fhir.payload)).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'not-found' }] });
    const mpi = await app.server.inject('/mpi/identities/SN-DKR-26-AAAAAAAA');
    expect(mpi.statusCode).toBe(404);
    expect(mpi.headers['content-type']).toContain('application/problem+json');
    const other = await app.server.inject('/nowhere');
    expect(other.statusCode).toBe(404);
    expect(other.headers['content-type']).toContain('application/json');
    expect(JSON.parse(other.payload)).toEqual({ statusCode: 404, code: 'not-found', error: 'Not found', message: 'Not Found' });
  });
});
