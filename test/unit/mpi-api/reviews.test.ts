import type { Patient } from 'fhir/r4';
import { mpiHarness } from './harness';
import type { MpiHarness } from './harness';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are probed freely in tests
type Json = Record<string, any>;
const actor = { clientId: 'loader' };
const patient = (id: string, given: string, birthDate: string): Patient => ({
  resourceType: 'Patient', identifier: [{ system: 'urn:dhis2', value: id }], name: [{ family: 'Diallo', given: [given] }], birthDate, gender: 'female',
});

describe('MPI REST API: review workflow', () => {
  let h: MpiHarness;
  let auth: Record<string, string>;
  const call = async (method: string, url: string, payload?: unknown, headers = auth): Promise<{ status: number; body: Json }> => {
    const res = await h.server.inject({ method, url, payload: payload as object, headers });
    return { status: res.statusCode, body: JSON.parse(res.payload || 'null') as Json };
  };

  async function newTask(n: number): Promise<{ taskId: string; candidate: string }> {
    const a = await h.registry.registerSource({ patient: patient(`a${n}`, 'Aminata', '1988-04-12'), sourceSystem: 'dhis2', actor });
    const b = await h.registry.registerSource({ patient: patient(`b${n}`, 'Mariama', '1988-04-02'), sourceSystem: 'openmrs', actor });
    expect(b.outcome).toBe('review');
    return { taskId: b.reviewTaskId as string, candidate: a.golden.mpiId };
  }

  beforeEach(async () => {
    h = await mpiHarness();
    auth = await h.auth('mpi/review system/Patient.read');
  });
  afterEach(async () => h.server.stop());

  test('list (filter by state and source), read side by side with per-field weights', async () => {
    const { taskId, candidate } = await newTask(1);
    const list = await call('GET', '/mpi/reviews?state=open&source=openmrs');
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(1);
    expect(list.body.items[0]).toMatchObject({ id: taskId, state: 'open', candidates: [{ mpi_id: candidate, score: expect.any(Number) }] });
    expect((await call('GET', '/mpi/reviews?source=dhis2')).body.total).toBe(0);
    expect((await call('GET', '/mpi/reviews?older_than_days=1')).body.total).toBe(0);
    const task = await call('GET', `/mpi/reviews/${taskId}`);
    expect(task.status).toBe(200);
    expect(task.body.source).toMatchObject({ first_name: 'Mariama', last_name: 'Diallo', date_of_birth: '1988-04-02' });
    expect(task.body.candidates[0].record).toMatchObject({ mpi_id: candidate, first_name: 'Aminata' });
    expect(task.body.candidates[0].field_weights.length).toBeGreaterThan(2);
  });

  test('two reviewers resolving the same task: one wins, the other gets 409', async () => {
    const { taskId, candidate } = await newTask(2);
    const other = await h.auth('mpi/review', 'reviewer-2');
    const [r1, r2] = await Promise.all([
      call('POST', `/mpi/reviews/${taskId}/resolve`, { action: 'link', mpi_id: candidate, reason: 'same mother and village' }),
      call('POST', `/mpi/reviews/${taskId}/resolve`, { action: 'not-a-match', reason: 'different people' }, other),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    const loser = r1.status === 409 ? r1 : r2;
    expect(loser.body.type).toBe('urn:passerelle:problem:conflict');
    const after = await call('POST', `/mpi/reviews/${taskId}/resolve`, { action: 'not-a-match', reason: 'late decision' });
    expect(after.status).toBe(409);
  });

  test('resolving with a stale version → 409; link/merge need mpi_id; unknown task → 404', async () => {
    const { taskId, candidate } = await newTask(3);
    expect((await call('POST', `/mpi/reviews/${taskId}/resolve`, { action: 'link', reason: 'no target' })).status).toBe(400);
    expect((await call('POST', `/mpi/reviews/${taskId}/resolve`, { action: 'link', mpi_id: candidate, reason: 'stale', version: 99 })).status).toBe(409);
    expect((await call('POST', '/mpi/reviews/nope/resolve', { action: 'not-a-match', reason: 'x y z' })).status).toBe(404);
    const ok = await call('POST', `/mpi/reviews/${taskId}/resolve`, { action: 'merge', mpi_id: candidate, reason: 'duplicate confirmed' });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id: taskId, state: 'resolved', resolution: { action: 'merge', client_id: 'test-client' } });
  });

  test('a decision without a reason (missing, or blank once trimmed) → 400 problem+json naming it; the task stays open', async () => {
    const { taskId, candidate } = await newTask(4);
    for (const payload of [{ action: 'link', mpi_id: candidate }, { action: 'not-a-match', reason: '   ' }]) {
      const res = await h.server.inject({ method: 'POST', url: `/mpi/reviews/${taskId}/resolve`, payload, headers: auth });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(res.payload)).toMatchObject({
        type: 'urn:passerelle:problem:invalid', status: 400, detail: 'Invalid body: body.reason', errors: [{ path: 'body.reason', code: expect.any(String) }],
      });
    }
    expect((await call('GET', `/mpi/reviews/${taskId}`)).body).toMatchObject({ state: 'open' });
    expect((await h.registry.getReview(taskId))?.resolution).toBeUndefined();
  });

  test('review routes need mpi/review', async () => {
    const reader = await h.auth('system/Patient.read system/Patient.write');
    expect((await call('GET', '/mpi/reviews', undefined, reader)).status).toBe(403);
  });
});
