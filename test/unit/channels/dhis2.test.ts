import { Dhis2Channel, nextPosition } from '../../../src/channels/dhis2/adapter';
import type { Dhis2Position, Dhis2Settings } from '../../../src/channels/dhis2/adapter';
import { dhis2TimeKey, readTrackedEntityPage } from '../../../src/channels/dhis2/envelope';
import { createUpstreamClient } from '../../../src/channels/http';
import type { InboundRecord, PulledPage } from '../../../src/channels/ports';
import { discardOrchestration } from '../../../src/core/orchestration';
import { FakeDhis2, SL, trackedEntityOf } from '../../helpers/fakes/dhis2';
import type { Dhis2Version } from '../../helpers/fakes/dhis2';
import { person } from '../../helpers/fakes/people';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const payload = (f: string): unknown => JSON.parse(readFileSync(join(__dirname, '../../fixtures/payloads/dhis2', f), 'utf8'));
const SETTINGS: Dhis2Settings = { pageSize: 3, programs: [], orgUnits: [], trackedEntityType: SL.person, mpiIdAttribute: SL.mpiId, legacyApi: false, identifierSystem: 'urn:te' };

function channel(fake: FakeDhis2, over: Partial<Dhis2Settings> = {}, auth: 'basic' | 'token' = 'basic'): Dhis2Channel {
  const http = createUpstreamClient({
    channel: 'dhis2', baseUrl: fake.url, timeoutMs: 2000, backoffMs: 1,
    auth: auth === 'basic' ? { kind: 'basic', username: 'admin', password: 'district' } : { kind: 'api-token', token: 'd2pat_fakeToken000000000000000000000' },
  });
  return new Dhis2Channel(http, { ...SETTINGS, ...over });
}

/** Pull a scope to its end, as the sync does: position after position. */
async function pullAll(c: Dhis2Channel, scope: string, from: unknown = null): Promise<{ pages: PulledPage[]; records: InboundRecord[]; position: unknown }> {
  const pages: PulledPage[] = [];
  let position = from;
  for (let guard = 0; guard < 100; guard++) {
    const page = await c.pull(scope, position, { sink: discardOrchestration });
    pages.push(page);
    position = page.position;
    if (!page.more) break;
  }
  return { pages, records: pages.flatMap((p) => p.records), position };
}

describe('DHIS2 envelopes', () => {
  it.each([
    ['trackedEntities-page-v2.41plus.docs.json', '2.42', 1],
    ['trackedEntities-page-v2.38-2.40.android-sdk.json', '2.36-2.40', 2],
    ['legacy-trackedEntityInstances.docs-2.41.json', 'legacy', 1],
  ])('reads the published page %s as the %s shape', (file, shape, n) => {
    const page = readTrackedEntityPage(payload(file));
    expect(page.shape).toBe(shape);
    expect(page.items).toHaveLength(n);
  });

  it('tells the 2.41 shape by its deprecated flat copies', () => {
    expect(readTrackedEntityPage({ pager: { page: 2, pageSize: 5 }, page: 2, pageSize: 5, trackedEntities: [] })).toMatchObject({ shape: '2.41', page: 2, pageSize: 5 });
  });

  it.each([[null], [[]], [{}], [{ trackedEntities: 'x' }], ['<html>']])('refuses a body of no known shape: %j', (body) => {
    expect(() => readTrackedEntityPage(body)).toThrow(/DHIS2 page/);
  });

  it('compares timestamps as written, whatever the separator and fraction', () => {
    expect(dhis2TimeKey('2014-03-28 12:27:52.399')).toBe('2014-03-28T12:27:52.399');
    expect(dhis2TimeKey('2019-08-21T13:25:38.4')).toBe('2019-08-21T13:25:38.400');
    expect(dhis2TimeKey('2019-08-21T13:25:38Z')).toBe('2019-08-21T13:25:38.000');
  });
});

describe.each<Dhis2Version>(['2.40', '2.41', '2.42'])('polling DHIS2 %s', (version) => {
  const fake = new FakeDhis2(version);
  beforeAll(() => fake.start());
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.entities.clear();
    fake.http.reset();
    for (let i = 0; i < 7; i++) fake.put(trackedEntityOf(person(i)));
  });

  it('pages to the end in updatedAt order and resumes from the cursor with nothing new', async () => {
    const c = channel(fake);
    const [scope] = c.scopes();
    const first = await pullAll(c, scope ?? '');
    expect(first.records.map((r) => r.resourceId)).toEqual([...fake.entities.keys()]);
    expect(first.records[0]).toMatchObject({ channel: 'dhis2', resourceType: 'trackedEntity', mapping: 'dhis2-tracked-entity', deleted: false, sourceIdentifier: { system: 'urn:te' } });
    const again = await pullAll(c, scope ?? '', first.position);
    expect(again.records).toEqual([]);
    expect(again.pages[0]?.skipped).toBe(1);
    const params = fake.http.requests.find((r) => r.path.endsWith('/trackedEntities'))?.query;
    expect(Object.fromEntries(params ?? [])).toMatchObject({ trackedEntityType: SL.person, order: 'updatedAt:asc', includeDeleted: 'true', pageSize: '3', [version === '2.40' ? 'ouMode' : 'orgUnitMode']: 'ACCESSIBLE' });
  });

  it('brings back edits and deletions after the cursor, once each', async () => {
    const c = channel(fake);
    const scope = c.scopes()[0] ?? '';
    const { position } = await pullAll(c, scope);
    const [a, b] = [...fake.entities.keys()];
    fake.edit(a ?? '', { [SL.firstName]: 'Fatu' });
    fake.remove(b ?? '');
    const next = await pullAll(c, scope, position);
    expect(next.records.map((r) => [r.resourceId, r.deleted])).toEqual([[a, false], [b, true]]);
  });

  it('gets past more entities at one instant than a page holds', async () => {
    fake.entities.clear();
    for (let i = 0; i < 8; i++) fake.put({ ...trackedEntityOf(person(i)), updatedAt: '2026-02-01T10:00:00.000' });
    fake.put(trackedEntityOf(person(99)));
    const c = channel(fake);
    const all = await pullAll(c, c.scopes()[0] ?? '');
    expect(new Set(all.records.map((r) => r.resourceId)).size).toBe(9);
    expect(all.records).toHaveLength(9);
  });
});

describe('the DHIS2 channel', () => {
  const fake = new FakeDhis2('2.41');
  beforeAll(() => fake.start());
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.entities.clear();
    fake.http.reset();
  });

  it('polls per program and org unit, with the program attributes', async () => {
    fake.put({ ...trackedEntityOf(person(1), { programs: [SL.tbProgramme] }), enrollments: [{ program: SL.tbProgramme, orgUnit: SL.ngelehun, attributes: [{ attribute: 'ruQQnf6rswq', value: 'TB-1' }] }] });
    fake.put(trackedEntityOf(person(2), { programs: [SL.childProgramme] }));
    const c = channel(fake, { programs: [SL.tbProgramme, SL.childProgramme], orgUnits: [SL.sierraLeone] });
    expect(c.scopes()).toEqual([`program=${SL.tbProgramme};orgUnit=${SL.sierraLeone}`, `program=${SL.childProgramme};orgUnit=${SL.sierraLeone}`]);
    const tb = await pullAll(c, c.scopes()[0] ?? '');
    expect(tb.records).toHaveLength(1);
    expect(JSON.stringify(tb.records[0]?.payload)).toContain('TB-1');
    expect(fake.http.requests.at(-1)?.query.get('orgUnitMode')).toBe('DESCENDANTS');
  });

  it('authenticates with a personal access token', async () => {
    fake.put(trackedEntityOf(person(1)));
    const c = channel(fake, {}, 'token');
    expect((await pullAll(c, c.scopes()[0] ?? '')).records).toHaveLength(1);
  });

  it('polls the legacy API by lastUpdatedStartDate', async () => {
    for (let i = 0; i < 4; i++) fake.put(trackedEntityOf(person(i)));
    const c = channel(fake, { legacyApi: true });
    const all = await pullAll(c, c.scopes()[0] ?? '');
    expect(all.records.map((r) => r.resourceId)).toEqual([...fake.entities.keys()]);
    expect((all.position as Dhis2Position).updatedAfter).toMatch(/^2026-01-05 08:00:00\.\d{3}$/);
    expect(fake.http.requests.at(-1)?.query.get('lastUpdatedStartDate')).toMatch(/ /);
  });

  it('writes MPI IDs back in one import per page, skipping those DHIS2 already holds', async () => {
    const [one, two] = [trackedEntityOf(person(1)), trackedEntityOf(person(2))];
    fake.put(one, two);
    const c = channel(fake);
    const records = (await pullAll(c, c.scopes()[0] ?? '')).records;
    const out = await c.writeBack([{ record: records[0] as InboundRecord, mpiId: 'SL-WA-26-AAAA' }, { record: records[1] as InboundRecord, mpiId: 'SL-WA-26-BBBB' }], discardOrchestration);
    expect(out.map((o) => o.status)).toEqual(['written', 'written']);
    expect(fake.attribute(one.trackedEntity, SL.mpiId)).toBe('SL-WA-26-AAAA');
    expect(fake.imports).toHaveLength(1);
    const again = (await pullAll(c, c.scopes()[0] ?? '')).records;
    const second = await c.writeBack(again.map((record, i) => ({ record, mpiId: i === 0 ? 'SL-WA-26-AAAA' : 'SL-WA-26-BBBB' })), discardOrchestration);
    expect(second.map((o) => o.status)).toEqual(['already', 'already']);
    expect(fake.imports).toHaveLength(1);
  });

  it('reports a write-back DHIS2 refuses, per entity, and an unreachable DHIS2 for all', async () => {
    fake.put(trackedEntityOf(person(1)));
    const c = channel(fake);
    const [record] = (await pullAll(c, c.scopes()[0] ?? '')).records;
    fake.entities.clear();
    const [refused] = await c.writeBack([{ record: record as InboundRecord, mpiId: 'X' }], discardOrchestration);
    expect(refused).toMatchObject({ status: 'failed', reason: expect.stringContaining('E1063') });
    fake.http.inject({ kind: 'status', status: 503 }, { times: 5 });
    const [down] = await c.writeBack([{ record: record as InboundRecord, mpiId: 'X' }], discardOrchestration);
    expect(down).toMatchObject({ status: 'failed', reason: 'dhis2 answered 503' });
  });

  it('takes pushed entities alone or in any envelope', () => {
    const c = channel(fake);
    expect(c.recordsOfPush('trackedEntities', payload('trackedEntity-single-v2.41plus.docs.json')).map((r) => r.resourceId)).toEqual(['PQfMcpmXeFE']);
    expect(c.recordsOfPush('trackedEntities', payload('trackedEntities-page-v2.38-2.40.android-sdk.json'))).toHaveLength(2);
    expect(c.recordsOfPush('trackedEntityInstances', payload('legacy-trackedEntityInstances.docs-2.41.json')).map((r) => r.resourceId)).toEqual(['tphfdyIiVL6']);
    expect(() => c.recordsOfPush('trackedEntities', { hello: 1 })).toThrow(/not a tracked entity/);
    expect(() => c.recordsOfPush('events', {})).toThrow(/DHIS2 pushes go to/);
  });
});

describe('the DHIS2 cursor', () => {
  it('moves to the latest instant of a page and remembers who was taken in at it', () => {
    const heads = [{ uid: 'a', updatedAt: '2026-01-01T10:00:00.000' }, { uid: 'b', updatedAt: '2026-01-01T10:00:01.000' }, { uid: 'c', updatedAt: '2026-01-01T10:00:01.000' }];
    expect(nextPosition({ seen: [], page: 1 }, heads, true)).toEqual({ updatedAfter: '2026-01-01T10:00:01.000', seen: ['b', 'c'], page: 1 });
  });

  it('pages on within one instant only past a full page of it', () => {
    const at = { updatedAfter: '2026-01-01T10:00:00.000', seen: ['a'], page: 1 };
    const heads = [{ uid: 'a', updatedAt: '2026-01-01T10:00:00.000' }, { uid: 'b', updatedAt: '2026-01-01T10:00:00.000' }];
    expect(nextPosition(at, heads, true)).toEqual({ ...at, seen: ['a', 'b'], page: 2 });
    expect(nextPosition(at, heads, false)).toEqual({ ...at, seen: ['a', 'b'], page: 1 });
  });
});
