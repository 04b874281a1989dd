/**
 * What the data-steward page needs from the MPI API: queue filters by score band, counts, each
 * candidate's sources, the outcome a race's loser sees, the steward's identity on decisions and
 * history, the merges in force into a record, and no cached copies of identities.
 */
import type { Patient } from 'fhir/r4';
import { caller, mpiHarness } from './harness';
import type { MpiHarness } from './harness';

const loader = { clientId: 'loader' };
const FAMILIES = ['Diallo', 'Ndiaye', 'Sow', 'Fall', 'Cisse', 'Sarr', 'Faye', 'Gueye'];
const patient = (id: string, given: string, birthDate: string, phone?: string): Patient => ({
  resourceType: 'Patient', identifier: [{ system: 'urn:dhis2', value: id }], name: [{ family: FAMILIES[Number(id.slice(1)) % FAMILIES.length], given: [given] }], birthDate, gender: 'female',
  ...(phone ? { telecom: [{ system: 'phone', value: phone }] } : {}),
});

describe('MPI REST API: what the steward page reads and decides', () => {
  let h: MpiHarness;
  let auth: Record<string, string>;
  const call = caller(() => h, () => auth);

  async function newTask(n: number, sourceSystem = 'openmrs'): Promise<{ taskId: string; candidate: string; sourceKey: string }> {
    const a = await h.registry.registerSource({ patient: patient(`a${n}`, 'Aminata', `${1970 + n}-04-12`), sourceSystem: 'dhis2', actor: loader });
    const b = await h.registry.registerSource({ patient: patient(`b${n}`, 'Mariama', `${1970 + n}-04-02`), sourceSystem, actor: loader });
    expect(b.outcome).toBe('review');
    return { taskId: b.reviewTaskId as string, candidate: a.golden.mpiId, sourceKey: b.source.key };
  }

  beforeEach(async () => {
    h = await mpiHarness();
    auth = await h.personAuth('steward-awa', 'mpi/review system/Patient.read');
  });
  afterEach(async () => h.server.stop());

  test('score band filter and counts by source system, band and age; the bands add up to the total', async () => {
    const { taskId } = await newTask(1, 'openmrs');
    await newTask(2, 'ihris');
    const best = (await call('GET', `/mpi/reviews/${taskId}`)).body.best_score as number;
    expect(best).toBeGreaterThan(0);
    expect((await call('GET', `/mpi/reviews?min_score=${best}`)).body.total).toBe(2);
    expect((await call('GET', `/mpi/reviews?max_score=${best}`)).body.total).toBe(0);
    expect((await call('GET', `/mpi/reviews?min_score=${best}&source=ihris`)).body.total).toBe(1);
    const counts = await call('GET', '/mpi/reviews/counts?state=open');
    expect(counts.status).toBe(200);
    expect(counts.body).toMatchObject({ state: 'open', total: 2, by_source_system: [{ source_system: 'ihris', count: 1 }, { source_system: 'openmrs', count: 1 }] });
    expect(counts.body.by_score_band.map((b: { count: number }) => b.count).reduce((x: number, y: number) => x + y, 0)).toBe(2);
    expect(counts.body.by_age).toEqual([{ older_than_days: 1, count: 0 }, { older_than_days: 7, count: 0 }, { older_than_days: 30, count: 0 }]);
    expect((await call('GET', '/mpi/reviews/counts?state=resolved')).body).toMatchObject({ total: 0, by_source_system: [] });
  });

  test('bad queue parameters are refused with problem+json; a page holds up to 1,000 tasks', async () => {
    expect((await call('GET', '/mpi/reviews?limit=1000')).status).toBe(200);
    for (const q of ['limit=1001', 'min_score=1.5', 'max_score=-1', 'min_score=abc', 'source=a%20b', 'state=closed']) {
      const res = await call('GET', `/mpi/reviews?${q}`);
      expect([q, res.status, res.type]).toEqual([q, 400, expect.stringContaining('application/problem+json')]);
    }
    expect((await call('GET', '/mpi/reviews/counts?state=nope')).status).toBe(400);
  });

  test('a task shows each candidate with its linked sources; responses are never cached', async () => {
    const { taskId, candidate } = await newTask(3);
    const task = await call('GET', `/mpi/reviews/${taskId}`);
    expect(task.headers['cache-control']).toBe('no-store');
    expect(task.body).toMatchObject({ source_system: 'openmrs', source: { first_name: 'Mariama' } });
    expect(task.body.candidates[0]).toMatchObject({ mpi_id: candidate, sources: [{ source_system: 'dhis2', system: 'urn:dhis2', value: 'a3', first_name: 'Aminata', link: expect.any(String) }] });
    const sources = await call('GET', `/mpi/${candidate}/sources`);
    expect(sources.body).toMatchObject({ total: 1, items: [{ value: 'a3', source_system: 'dhis2' }] });
    expect((await call('GET', '/mpi/SN-DKR-26-XXXXXXXX/sources')).status).toBe(400);
    const missing = await call('GET', '/mpi/reviews/nope');
    expect([missing.status, missing.headers['cache-control']]).toEqual([404, 'no-store']);
  });

  test('a decision records the steward (token subject) on the task, the history and the audit trail', async () => {
    const { taskId, candidate } = await newTask(4);
    const etag = (await call('GET', `/mpi/reviews/${taskId}`)).headers.etag as string;
    const done = await call('POST', `/mpi/reviews/${taskId}/resolve`, { action: 'link', mpi_id: candidate, reason: 'same mother, same village' }, { 'if-match': etag });
    expect(done.status).toBe(200);
    expect(done.body.resolution).toEqual({ action: 'link', mpi_id: candidate, reason: 'same mother, same village', at: expect.any(String), client_id: 'steward-page', user_id: 'steward-awa' });
    const history = await call('GET', `/mpi/${candidate}/history`);
    expect(history.body.items.at(-1)).toMatchObject({ operation: 'review-link', client_id: 'steward-page', user_id: 'steward-awa' });
    const records = await h.audit.search({ count: 50, offset: 0 });
    expect(records.items.find((r) => r.operation === 'mpi.reviews.resolve')?.agent).toMatchObject({ clientId: 'steward-page', userId: 'steward-awa' });
  });

  test('the loser of a race gets 409 with the task as the winner decided it', async () => {
    const { taskId, candidate } = await newTask(5);
    const other = await h.personAuth('steward-binta', 'mpi/review');
    const [r1, r2] = await Promise.all([
      call('POST', `/mpi/reviews/${taskId}/resolve`, { action: 'link', mpi_id: candidate, reason: 'same person' }, { 'if-match': 'W/"1"' }),
      call('POST', `/mpi/reviews/${taskId}/resolve`, { action: 'not-a-match', reason: 'different people' }, { ...other, 'if-match': 'W/"1"' }),
    ]);
    expect([r1.status, r2.status].sort()).toEqual([200, 409]);
    const [winner, loser] = r1.status === 200 ? [r1, r2] : [r2, r1];
    expect(loser.body).toMatchObject({ type: 'urn:passerelle:problem:conflict', task: { id: taskId, state: 'resolved', resolution: winner.body.resolution } });
    const late = await call('POST', `/mpi/reviews/${taskId}/resolve`, { action: 'not-a-match', reason: 'too late' });
    expect(late.body.task.resolution).toEqual(winner.body.resolution);
  });

  test('a merge decided on a task is listed on the survivor until it is undone', async () => {
    const { taskId, candidate } = await newTask(6);
    const retired = (await h.registry.getReview(taskId))?.sourceKey as string;
    const retiredId = (await h.registry.getSource(retired))?.goldenId as string;
    await call('POST', `/mpi/reviews/${taskId}/resolve`, { action: 'merge', mpi_id: candidate, reason: 'duplicate registration' });
    const merges = await call('GET', `/mpi/${candidate}/merges`);
    expect(merges.body.items).toEqual([{ retired_mpi_id: retiredId, at: expect.any(String), reason: 'duplicate registration', client_id: 'steward-page', user_id: 'steward-awa' }]);
    expect((await call('POST', '/mpi/unmerge', { mpi_id: retiredId, reason: 'wrong merge' })).status).toBe(200);
    expect((await call('GET', `/mpi/${candidate}/merges`)).body.items).toEqual([]);
    const reader = await h.auth('mpi/review');
    expect((await call('GET', `/mpi/${candidate}/merges`, undefined, reader)).status).toBe(403);
  });

  test('not-a-match is remembered: the source re-sent with new details raises no task for that pair again', async () => {
    const { taskId, candidate, sourceKey } = await newTask(7);
    await call('POST', `/mpi/reviews/${taskId}/resolve`, { action: 'not-a-match', reason: 'different mothers' });
    const again = await h.registry.registerSource({ patient: patient('b7', 'Mariama', '1977-04-02', '+221770000007'), sourceSystem: 'openmrs', actor: loader });
    expect(again.source.key).toBe(sourceKey);
    const open = await call('GET', '/mpi/reviews?state=open&limit=100');
    const pairs = open.body.items.filter((t: { candidates: Array<{ mpi_id: string }> }) => t.candidates.some((c) => c.mpi_id === candidate));
    expect(pairs).toEqual([]);
  });
});
