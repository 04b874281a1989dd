/**
 * Security as composed in app.ts: every route family behind bearer tokens in jwt mode, the public
 * routes open, tokens from Passerelle's own client_credentials endpoint accepted, errors in each
 * API's own shape.
 */
import { MemoryClientStore } from '../../../src/http/auth/clients';
import { hashSecret } from '../../../src/http/auth/secrets';
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';

const SECRET = 'a-long-client-secret-for-tests-0123456789';

describe('security in the composed app (AUTH_MODE=jwt)', () => {
  let app: TestApp;
  let token: string;
  beforeAll(async () => {
    const clients = new MemoryClientStore([{ clientId: 'pharmacy', name: 'Pharmacy', authMethod: 'client_secret', scopes: ['system/Patient.read'], secretHash: await hashSecret(SECRET), status: 'active', createdAt: '' }]);
    app = await buildTestApp({ AUTH_MODE: 'jwt' }, { clients });
    const res = await app.server.inject({
      method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=client_credentials&client_id=pharmacy&client_secret=${SECRET}&scope=system/Patient.read`,
    });
    expect(res.statusCode).toBe(200);
    token = (JSON.parse(res.payload) as { access_token: string }).access_token;
  });
  afterAll(async () => {
    await app.stop();
  });

  it.each(['/health', '/fhir/metadata', '/.well-known/jwks.json', '/mpi/verify/unknown-token'])('keeps %s public', async (url) => {
    expect((await app.server.inject(url)).statusCode).toBe(200);
  });

  it('answers a FHIR call without a token with a 401 OperationOutcome', async () => {
    const res = await app.server.inject('/fhir/Patient?family=Diop');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
    expect(JSON.parse(res.payload)).toMatchObject({ resourceType: 'OperationOutcome' });
  });

  it('answers an MPI call without a token with 401 problem+json', async () => {
    const res = await app.server.inject('/mpi/search?q=Diop');
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('accepts its own client_credentials token for the granted scope and refuses others', async () => {
    const auth = { authorization: `Bearer ${token}` };
    expect((await app.server.inject({ url: '/fhir/Patient?family=Diop', headers: auth })).statusCode).toBe(200);
    const write = await app.server.inject({ method: 'POST', url: '/mpi/register', headers: auth, payload: { first_name: 'Awa', last_name: 'Diop', date_of_birth: '1990-01-01', gender: 'F' } });
    expect(write.statusCode).toBe(403);
    expect(write.headers['x-ratelimit-limit']).toBeDefined();
  });

  it('records an audit entry for an identity read', async () => {
    await app.server.inject({ url: '/fhir/Patient?family=Ndiaye', headers: { authorization: `Bearer ${token}` } });
    expect(await app.audit.writer.flush()).toBe(true);
    const page = await app.audit.store.search({ count: 50, offset: 0 });
    expect(page.items.some((r) => r.agent.clientId === 'pharmacy')).toBe(true);
  });
});
