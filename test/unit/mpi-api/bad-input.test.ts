import { aPerson, caller, mpiHarness } from './harness';
import type { Json, MpiHarness } from './harness';


const INJECTIONS = [
  "' OR '1'='1", '{"$ne":null}', '$where', '<script>alert(1)</script>', '../../etc/passwd', '%00', '${7*7}', '{{7*7}}',
  'Robert"); DROP TABLE patients;--', '\u0000', 'a'.repeat(5000),
];

describe('MPI REST API: bad input and attacks', () => {
  let h: MpiHarness;
  let auth: Record<string, string>;
  beforeAll(async () => {
    h = await mpiHarness();
    auth = await h.auth();
  });
  afterAll(async () => h.server.stop());

  const inject = caller(() => h, () => auth);

  function expectProblem(res: { status: number; body: Json; type: string }, status: number): void {
    expect(res.status).toBe(status);
    expect(res.type).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: expect.stringMatching(/^urn:passerelle:problem:/), title: expect.any(String), status, detail: expect.any(String) });
  }

  test('missing token on /mpi → 401 problem+json with WWW-Authenticate: Bearer', async () => {
    const res = await h.server.inject({ method: 'GET', url: '/mpi/search?q=x' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(res.payload)).toEqual({ type: 'urn:passerelle:problem:unauthorized', title: 'Unauthorized', status: 401, detail: 'The access token is missing, invalid or expired' });
  });

  test('missing scope on /mpi → 403 problem', async () => {
    const readOnly = await h.auth('system/Patient.read');
    const res = await inject('POST', '/mpi/register', aPerson(), readOnly);
    expectProblem(res, 403);
  });

  test('unknown fields are rejected and named, values never echoed', async () => {
    const res = await inject('POST', '/mpi/register', { ...aPerson(), nickname: 'Ami', is_admin: true });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual(expect.arrayContaining([{ path: 'body.nickname', code: 'unknown_field' }, { path: 'body.is_admin', code: 'unknown_field' }]));
    expect(JSON.stringify(res.body)).not.toContain('Ami"');
  });

  test('wrong content types → 415', async () => {
    expectProblem(await inject('POST', '/mpi/register', 'first_name=a', { 'content-type': 'application/x-www-form-urlencoded' }), 415);
    expectProblem(await inject('POST', '/mpi/register', '<x/>', { 'content-type': 'application/xml' }), 415);
    expectProblem(await inject('POST', '/mpi/register', 'hello', { 'content-type': 'text/plain' }), 415);
  });

  test('malformed JSON → 400; oversized body → 413', async () => {
    expectProblem(await inject('POST', '/mpi/register', '{"first_name":', { 'content-type': 'application/json' }), 400);
    const huge = JSON.stringify({ ...aPerson(), first_name: 'a'.repeat(100 * 1024) });
    expectProblem(await inject('POST', '/mpi/register', huge, { 'content-type': 'application/json' }), 413);
  });

  test.each([
    ['enormous limit', '/mpi/search?q=Diallo&limit=100000000'],
    ['negative offset', '/mpi/search?q=Diallo&offset=-1'],
    ['non-numeric limit', '/mpi/search?limit=ten'],
    ['repeated parameter', '/mpi/search?q=a&q=b'],
    ['operator-shaped parameter', '/mpi/search?q[$ne]=x'],
    ['unknown parameter', '/mpi/search?where=1'],
    ['bad date', '/mpi/search?date_of_birth=1988-13-45'],
  ])('query: %s → 400', async (_name, url) => expectProblem(await inject('GET', url), 400));

  test.each(INJECTIONS.map((s) => [s.slice(0, 30)]))('injection string %j in every parameter → 400/404, never 500', async (label) => {
    const s = INJECTIONS.find((x) => x.startsWith(label)) ?? label;
    const e = encodeURIComponent(s);
    const urls = [`/mpi/search?q=${e}`, `/mpi/search?mpi_id=${e}`, `/mpi/search?region_code=${e}`, `/mpi/search?program=${e}`, `/mpi/search?date_of_birth=${e}`,
      `/mpi/${e}`, `/mpi/${e}/history`, `/mpi/resolve/${e}/${e}`, `/mpi/reviews/${e}`, `/mpi/reviews?source=${e}`, `/mpi/reviews?state=${e}`];
    for (const url of urls) {
      const res = await inject('GET', url);
      expect([400, 404]).toContain(res.status);
      expect(JSON.stringify(res.body)).not.toContain(s.length > 3 ? s : '\u0001');
    }
    for (const field of ['first_name', 'last_name', 'date_of_birth', 'gender', 'region_code', 'country_code', 'phone_number']) {
      expectProblem(await inject('POST', '/mpi/register', { ...aPerson(), [field]: s }), 400);
    }
    if (!/^[a-z]+$/.test(s.slice(0, 50))) expectProblem(await inject('POST', '/mpi/register', { ...aPerson(), external_ids: { [s.slice(0, 50)]: 'x' } }), 400);
    expectProblem(await inject('POST', '/mpi/merge', { survivor_mpi_id: s, retired_mpi_id: s, reason: s }), 400);
    const verify = await h.server.inject({ method: 'GET', url: `/mpi/verify/${e}` });
    expect(verify.statusCode).toBe(200);
    expect(JSON.parse(verify.payload).status).toBe('not_found');
  });

  test('non-object JSON bodies are rejected', async () => {
    for (const body of ['[]', '"x"', '42', 'null']) {
      expectProblem(await inject('POST', '/mpi/register', body, { 'content-type': 'application/json' }), 400);
    }
  });
});
