import { mpiRoutes } from '../../../src/mpi-api/plugin';
import { aPerson, mpiHarness } from './harness';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are probed freely in tests
type Json = Record<string, any>;

describe('OpenAPI document and docs page', () => {
  test('generated from the route table: every route, its scope, its schemas', async () => {
    const h = await mpiHarness();
    const res = await h.server.inject({ url: '/docs/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = JSON.parse(res.payload) as Json;
    expect(doc.openapi).toBe('3.1.0');
    for (const route of mpiRoutes()) {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(op).toBeDefined();
      expect(op.operationId).toBe(route.operationId);
      if ('scope' in route.security) expect(op['x-required-scope']).toBe(route.security.scope);
      else expect(op['x-public']).toBe(true);
    }
    const register = doc.paths['/mpi/register'].post;
    expect(register.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/RegisterRequest');
    const reqSchema = doc.components.schemas.RegisterRequest;
    expect(reqSchema.additionalProperties).toBe(false);
    expect(reqSchema.properties.gender.enum).toEqual(['M', 'F', 'U']);
    expect(doc.paths['/mpi/search'].get.parameters.find((p: Json) => p.name === 'limit').schema.maximum).toBe(100);
    expect(register.responses['409'].content['application/problem+json']).toBeDefined();
    expect(JSON.stringify(doc)).not.toContain('$defs');
    const html = await h.server.inject({ url: '/docs' });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.payload).toContain('/mpi/register');
    expect(html.payload).toContain('urn:passerelle:problem:duplicate-detected');
    expect(html.payload).not.toContain('<script');
  });
});

describe('privacy: personal data never reaches the logs', () => {
  test('planted PII across successes, duplicates, validation errors and failures is absent from every log line', async () => {
    const h = await mpiHarness();
    const auth = await h.auth();
    const planted = { first_name: 'Zanzibarine', last_name: 'Quetzalcoatl', date_of_birth: '1931-02-27', phone_number: '+221 70 987 65 43', external_ids: { national_id: '7777123456789' } };
    await h.server.inject({ method: 'POST', url: '/mpi/register', payload: aPerson(planted), headers: auth });
    await h.server.inject({ method: 'POST', url: '/mpi/register', payload: aPerson(planted), headers: auth });
    await h.server.inject({ method: 'POST', url: '/mpi/register', payload: { ...aPerson(planted), gender: 'Quetzalcoatl' }, headers: auth });
    await h.server.inject({ method: 'GET', url: '/mpi/search?q=Quetzalcoatl&date_of_birth=1931-02-27', headers: auth });
    await h.server.inject({ method: 'GET', url: '/mpi/resolve/national_id/7777123456789', headers: auth });
    await h.server.inject({ method: 'POST', url: '/mpi/match', payload: { last_name: 'Quetzalcoatl', date_of_birth: '1931-02-27' }, headers: auth });
    // A 500 whose message carries PII.
    const broken = await mpiHarness({ ...h.registry, match: async () => { throw new Error('boom Quetzalcoatl 1931-02-27 7777123456789'); } });
    const failed = await broken.server.inject({ method: 'POST', url: '/mpi/register', payload: aPerson(planted), headers: await broken.auth() });
    expect(failed.statusCode).toBe(500);
    expect(failed.payload).not.toMatch(/Quetzalcoatl|boom/);
    const lines = [...h.lines, ...broken.lines].join('\n');
    expect(lines.length).toBeGreaterThan(0);
    expect(broken.lines.join('\n')).toContain('request failed');
    for (const secret of ['Zanzibarine', 'Quetzalcoatl', '1931-02-27', '987 65 43', '98765', '7777123456789']) expect(lines).not.toContain(secret);
  });
});
