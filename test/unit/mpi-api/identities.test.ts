import { createMpiIdCodec } from '../../../src/registry/mpi-id';
import { aPerson, caller, mpiHarness } from './harness';
import type { Json, MpiHarness, Res } from './harness';


describe('MPI REST API: identities', () => {
  let h: MpiHarness;
  let auth: Record<string, string>;
  beforeAll(async () => {
    h = await mpiHarness();
    auth = await h.auth();
  });
  afterAll(async () => h.server.stop());

  const call = caller(() => h, () => auth);
  const register = (over: Json = {}): Promise<Res> => call('POST', '/mpi/register', aPerson(over));

  test('register → 201 with mpi_id, status, confidence, created_at', async () => {
    const res = await register();
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ mpi_id: expect.stringMatching(/^SN-DKR-\d\d-[A-Z0-9]{8}$/), status: 'created', confidence: expect.any(Number), created_at: expect.any(String) });
    expect(res.headers.location).toBe(`/mpi/${res.body.mpi_id}`);
  });

  test('a likely duplicate → 409 problem with the existing MPI ID; force_create registers anyway', async () => {
    const first = await register({ first_name: 'Moussa', last_name: 'Ndiaye', date_of_birth: '1975-01-02', gender: 'M', external_ids: { national_id: '9999999999999' }, phone_number: '+221 76 000 00 01' });
    const dup = await register({ first_name: 'Moussa', last_name: 'Ndiaye', date_of_birth: '1975-01-02', gender: 'M', external_ids: { national_id: '9999999999999' }, phone_number: '+221 76 000 00 01' });
    expect(dup.status).toBe(409);
    expect(dup.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(dup.body).toMatchObject({ type: 'urn:passerelle:problem:duplicate-detected', status: 'duplicate_detected', existing_mpi_id: first.body.mpi_id, action: 'use_existing_or_review' });
    expect(dup.body.similarity_score).toBeGreaterThan(0.5);
    expect(dup.body.matched_fields).toEqual(expect.arrayContaining(['birthDate']));
    const forced = await register({ first_name: 'Moussa', last_name: 'Ndiaye', date_of_birth: '1975-01-02', gender: 'M', phone_number: '+221 76 000 00 01', force_create: true });
    expect([200, 201]).toContain(forced.status);
    await new Promise((r) => setImmediate(r));
    const audited = h.audit.records.find((r) => r.operation === 'mpi.register' && r.detail?.forceCreate === true);
    expect(audited).toBeDefined();
  });

  test('read, patch with If-Match, history', async () => {
    const { body: { mpi_id } } = await register({ first_name: 'Fatou', last_name: 'Sow', date_of_birth: '1990-07-07', external_ids: { national_id: '1111111111111' }, phone_number: '+221 70 111 11 11' });
    const read = await call('GET', `/mpi/${mpi_id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ mpi_id, status: 'active', first_name: 'Fatou', last_name: 'Sow', date_of_birth: '1990-07-07', gender: 'F' });
    const etag = read.headers.etag as string;
    const patched = await call('PATCH', `/mpi/${mpi_id}`, { phone_number: '+221 70 222 22 22' }, { 'if-match': etag });
    expect(patched.status).toBe(200);
    expect(patched.body.phone_number).toBe('+221 70 222 22 22');
    const stale = await call('PATCH', `/mpi/${mpi_id}`, { phone_number: '+221 70 333 33 33' }, { 'if-match': etag });
    expect([409, 412]).toContain(stale.status);
    const history = await call('GET', `/mpi/${mpi_id}/history`);
    expect(history.status).toBe(200);
    expect(history.body.items.length).toBeGreaterThanOrEqual(2);
    expect(history.body.items[0]).toMatchObject({ version: expect.any(Number), operation: expect.any(String), changed_fields: expect.any(Array) });
  });

  test('unknown MPI ID → 404 problem; a mistyped one (bad check character) → 400', async () => {
    const res = await call('GET', `/mpi/${createMpiIdCodec().generate(new Date())}`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ type: 'urn:passerelle:problem:not-found', title: 'Not found', status: 404 });
    const typo = await call('GET', '/mpi/SN-DKR-26-AAAAAAAA');
    expect(typo.status).toBe(400);
    expect(typo.body.type).toBe('urn:passerelle:problem:invalid');
  });

  test('links + resolve: a DHIS2 UID under its instance URL; 404 when not linked', async () => {
    const { body: { mpi_id } } = await register({ first_name: 'Ibrahima', last_name: 'Fall', date_of_birth: '1960-03-03', gender: 'M', external_ids: { national_id: '2222222222222' }, phone_number: '+221 77 222 00 00' });
    const linked = await call('POST', `/mpi/${mpi_id}/links`, { system: 'dhis2', value: 'Abc123XyZ01', instance_url: 'https://dhis2.example.org/' });
    expect(linked.status).toBe(201);
    expect(linked.body.external_ids).toEqual(expect.arrayContaining([{ system: 'https://dhis2.example.org', value: 'Abc123XyZ01' }]));
    const resolved = await call('GET', `/mpi/resolve/${encodeURIComponent('https://dhis2.example.org')}/Abc123XyZ01`);
    expect(resolved.status).toBe(200);
    expect(resolved.body.mpi_id).toBe(mpi_id);
    const byShortName = await call('GET', '/mpi/resolve/national_id/2222222222222');
    expect(byShortName.body.mpi_id).toBe(mpi_id);
    const missing = await call('GET', '/mpi/resolve/national_id/0000000000000');
    expect(missing.status).toBe(404);
  });

  test('search by name, date of birth, identifier value (any system), region; paging', async () => {
    await register({ first_name: 'Awa', last_name: 'Gueye', date_of_birth: '2001-11-11', external_ids: { national_id: '3333333333333' }, phone_number: '+221 78 333 33 33' });
    const res = await call('GET', '/mpi/search?q=Gueye&date_of_birth=2001-11-11&limit=5&offset=0');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(1);
    expect(res.body.items[0]).toMatchObject({ last_name: 'Gueye', first_name: 'Awa' });
    const byId = await call('GET', '/mpi/search?identifier=3333333333333');
    expect(byId.body).toMatchObject({ total: 1, items: [{ last_name: 'Gueye' }] });
    expect((await call('GET', '/mpi/search?identifier=3333333333334')).body.total).toBe(0);
    expect((await call('GET', '/mpi/search?identifier=a%20b')).status).toBe(400);
    const region = await call('GET', '/mpi/search?region_code=DKR&limit=2');
    expect(region.body.items.length).toBeLessThanOrEqual(2);
    expect(region.body.total).toBeGreaterThan(2);
  });

  test('match returns scores, grades, matched fields and per-field weights without writing', async () => {
    const before = await call('GET', '/mpi/search?q=Diallo');
    const res = await call('POST', '/mpi/match', { first_name: 'Aminata', last_name: 'Diallo', date_of_birth: '1988-04-12', gender: 'F' });
    expect(res.status).toBe(200);
    expect(res.body.items[0]).toMatchObject({ mpi_id: expect.any(String), score: expect.any(Number), grade: expect.any(String), confidence: expect.any(String), matched_fields: expect.arrayContaining(['birthDate']) });
    expect(res.body.items[0].field_weights[0]).toEqual({ field: expect.any(String), level: expect.any(String), weight: expect.any(Number) });
    expect((await call('GET', '/mpi/search?q=Diallo')).body.total).toBe(before.body.total);
  });

  test('merge: the retired ID answers with the survivor; unmerge restores it', async () => {
    const a = (await register({ first_name: 'Cheikh', last_name: 'Ba', date_of_birth: '1955-05-05', gender: 'M', external_ids: { national_id: '4444444444444' }, phone_number: '+221 77 444 44 44' })).body.mpi_id;
    const b = (await register({ first_name: 'Khadija', last_name: 'Sy', date_of_birth: '1999-09-09', external_ids: { national_id: '5555555555555' }, phone_number: '+221 77 555 55 55' })).body.mpi_id;
    const merged = await call('POST', '/mpi/merge', { survivor_mpi_id: a, retired_mpi_id: b, reason: 'same person, confirmed by phone call' });
    expect(merged.status).toBe(200);
    const read = await call('GET', `/mpi/${b}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ mpi_id: a, redirected_from: b });
    expect(read.headers['content-location']).toBe(`/mpi/${a}`);
    const unmerged = await call('POST', '/mpi/unmerge', { mpi_id: b, reason: 'merged by mistake' });
    expect(unmerged.status).toBe(200);
    expect(unmerged.body.restored.mpi_id).toBe(b);
    expect((await call('GET', `/mpi/${b}`)).body.mpi_id).toBe(b);
  });

  test('identity tokens: issue, verify (public), revoke; never personal data', async () => {
    const { body: { mpi_id } } = await register({ first_name: 'Ndeye', last_name: 'Faye', date_of_birth: '1985-02-02', external_ids: { national_id: '6666666666666' }, phone_number: '+221 77 666 66 66' });
    const issued = await call('POST', `/mpi/${mpi_id}/tokens`);
    expect(issued.status).toBe(201);
    const token = issued.body.token as string;
    const verify = async (t: string): Promise<Res> => {
      const res = await h.server.inject({ method: 'GET', url: `/mpi/verify/${encodeURIComponent(t)}` });
      return { status: res.statusCode, body: JSON.parse(res.payload) as Json, type: String(res.headers['content-type']), headers: res.headers };
    };
    const valid = await verify(token);
    expect(valid.status).toBe(200);
    expect(valid.body).toEqual({ status: 'valid', checked_at: expect.any(String) });
    expect(JSON.stringify(valid.body)).not.toMatch(/Ndeye|Faye|1985|SN-DKR/);
    expect((await call('DELETE', `/mpi/tokens/${token}`)).status).toBe(204);
    const revoked = await verify(token);
    const unknown = await verify('AAAAAAAAAAAAAAAAAAAAAAAA');
    const garbage = await verify("x' OR '1'='1");
    expect(revoked.body.status).toBe('revoked');
    expect(unknown.body.status).toBe('not_found');
    expect(garbage.body.status).toBe('not_found');
    // Same status code, same keys, same headers apart from dates and rate-limit counters.
    const shape = (r: Res): unknown[] => [r.status, Object.keys(r.body).sort(), Object.keys(r.headers).filter((k) => k !== 'date').sort()];
    expect(shape(revoked)).toEqual(shape(unknown));
    expect(shape(unknown)).toEqual(shape(garbage));
  });
});
