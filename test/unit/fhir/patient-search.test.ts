import type { Bundle, Patient } from 'fhir/r4';
import { buildFhirServer, call, DHIS2, NID } from './helpers';
import { aPatient } from '../../helpers/patients';
import type { FhirTestServer } from './helpers';

const people: Patient[] = [
  aPatient({ identifier: [{ system: NID, value: '111' }, { system: DHIS2, value: 'A1' }], name: [{ family: 'Diop', given: ['Awa'] }], gender: 'female', birthDate: '1990-04-12' }),
  aPatient({ identifier: [{ system: NID, value: '222' }], name: [{ family: 'Ndiaye', given: ['Moussa'] }], gender: 'male', birthDate: '1985-01-02', telecom: [{ system: 'phone', value: '+221770000002' }], address: [{ city: 'Thiès', country: 'SN' }] }),
  aPatient({ identifier: [{ system: NID, value: '333' }], name: [{ family: 'Diouf', given: ['Fatou'] }], gender: 'female', birthDate: '2001-09-30', telecom: [{ system: 'phone', value: '+221770000003' }], address: [{ city: 'Saint-Louis', country: 'SN', postalCode: '32000' }] }),
  aPatient({ identifier: [{ value: 'NOSYS' }, { system: 'urn:x', value: 'X9' }], name: [{ family: 'Sarr', given: ['Ibrahima'] }], gender: 'male', birthDate: '1960', telecom: [{ system: 'phone', value: '+221770000004' }], address: [{ city: 'Kaolack', country: 'SN' }] }),
];

function families(b: Record<string, unknown>): string[] {
  return ((b as unknown as Bundle).entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => (e.resource as Patient).name?.[0]?.family ?? '').sort();
}

describe('PDQm Patient search', () => {
  let t: FhirTestServer;
  beforeAll(async () => {
    t = await buildFhirServer();
    for (const p of people) expect((await call(t.server, 'POST', '/fhir/Patient', p)).status).toBe(201);
  });

  it.each([
    ['family=dio', ['Diop', 'Diouf']],
    ['family=diouf,sarr', ['Diouf', 'Sarr']],
    ['family=diouf,zzz&given=f', ['Diouf']],
    ['address-city=kaolack,thies', ['Ndiaye', 'Sarr']],
    ['family:exact=Diop', ['Diop']],
    ['family:contains=iou', ['Diouf']],
    ['given=awa', ['Diop']],
    ['name=moussa', ['Ndiaye']],
    ['gender=male', ['Ndiaye', 'Sarr']],
    ['gender=male,female&family=d', ['Diop', 'Diouf']],
    ['birthdate=1990', ['Diop']],
    ['birthdate=ge2000-01-01', ['Diouf']],
    ['birthdate=lt1986&birthdate=gt1970', ['Ndiaye']],
    ['family=diouf&gender=female', ['Diouf']],
    ['address-city=thies', ['Ndiaye']],
    ['address-postalcode=32000', ['Diouf']],
    ['address=kaolack', ['Sarr']],
    ['telecom=%2B221770000003', ['Diouf']],
    ['active=true&family=sarr', ['Sarr']],
  ])('%s', async (qs, expected) => {
    const res = await call(t.server, 'GET', `/fhir/Patient?${qs}`);
    expect(res.status).toBe(200);
    expect(families(res.body)).toEqual(expected);
    expect(res.body.total).toBe(expected.length);
  });

  it.each([
    [`identifier=${encodeURIComponent(`${NID}|222`)}`, ['Ndiaye']],
    ['identifier=222', ['Ndiaye']],
    [`identifier=${encodeURIComponent('|NOSYS')}`, []],
    [`identifier=${encodeURIComponent(`${DHIS2}|`)}`, ['Diop']],
    [`identifier=${encodeURIComponent('urn:unknown|222')}`, []],
    [`identifier=${encodeURIComponent('urn:unknown|')}`, []],
  ])('identifier form %s', async (qs, expected) => {
    const res = await call(t.server, 'GET', `/fhir/Patient?${qs}`);
    expect(families(res.body)).toEqual(expected);
  });

  it('pages with self / next / previous links that replay the search', async () => {
    const first = await call(t.server, 'GET', '/fhir/Patient?gender=male,female&_count=3&_sort=family');
    const b = first.body as unknown as Bundle;
    expect(b.total).toBe(4);
    expect(b.entry?.map((e) => (e.resource as Patient).name?.[0]?.family)).toEqual(['Diop', 'Diouf', 'Ndiaye']);
    expect(b.entry?.[0]?.fullUrl).toMatch(/^http:\/\/mpi\.test\/fhir\/Patient\//);
    const next = b.link?.find((l) => l.relation === 'next')?.url ?? '';
    const page2 = await call(t.server, 'GET', next.replace('http://mpi.test', ''));
    const b2 = page2.body as unknown as Bundle;
    expect(b2.entry?.map((e) => (e.resource as Patient).name?.[0]?.family)).toEqual(['Sarr']);
    expect(b2.link?.find((l) => l.relation === 'previous')).toBeDefined();
    expect(b2.link?.find((l) => l.relation === 'next')).toBeUndefined();
  });

  it('pages stay on the snapshot of the first page while records are created between fetches', async () => {
    const own = await buildFhirServer();
    for (const p of people) expect((await call(own.server, 'POST', '/fhir/Patient', p)).status).toBe(201);
    const idsOf = (b: Bundle): string[] => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource?.id ?? '');
    const first = (await call(own.server, 'GET', '/fhir/Patient?gender=male,female&_count=2&_sort=family')).body as unknown as Bundle;
    const next = first.link?.find((l) => l.relation === 'next')?.url ?? '';
    expect(next).toContain('_snapshot=');
    const newcomers = [
      aPatient({ identifier: [{ system: NID, value: '901' }], name: [{ family: 'Ba', given: ['Coumba'] }], gender: 'female', birthDate: '1971-03-03', telecom: [{ system: 'phone', value: '+221770000901' }], address: [{ city: 'Ziguinchor', country: 'SN' }] }),
      aPatient({ identifier: [{ system: NID, value: '902' }], name: [{ family: 'Cisse', given: ['Modou'] }], gender: 'male', birthDate: '1977-07-07', telecom: [{ system: 'phone', value: '+221770000902' }], address: [{ city: 'Louga', country: 'SN' }] }),
    ];
    for (const p of newcomers) expect((await call(own.server, 'POST', '/fhir/Patient', p)).status).toBe(201);
    const second = (await call(own.server, 'GET', next.replace('http://mpi.test', ''))).body as unknown as Bundle;
    expect(second.total).toBe(4);
    const all = [...idsOf(first), ...idsOf(second)];
    expect(new Set(all).size).toBe(4);
    expect(second.entry?.map((e) => (e.resource as Patient).name?.[0]?.family)).toEqual(['Ndiaye', 'Sarr']);
    expect(second.link?.find((l) => l.relation === 'next')).toBeUndefined();
    const fresh = (await call(own.server, 'GET', '/fhir/Patient?gender=male,female&_count=2&_sort=family')).body as unknown as Bundle;
    expect(fresh.total).toBe(6);
    expect(fresh.entry?.map((e) => (e.resource as Patient).name?.[0]?.family)).toEqual(['Ba', 'Cisse']);
    expect((await call(own.server, 'GET', '/fhir/Patient?_snapshot=yesterday')).status).toBe(400);
  });

  it('_summary=count, _total=none and bounded _count', async () => {
    const count = await call(t.server, 'GET', '/fhir/Patient?gender=female&_summary=count');
    expect(count.body.total).toBe(2);
    expect(count.body.entry).toBeUndefined();
    const none = await call(t.server, 'GET', '/fhir/Patient?gender=female&_total=none');
    expect(none.body.total).toBeUndefined();
    const big = await call(t.server, 'GET', '/fhir/Patient?_count=100000');
    expect((big.body.link as Array<{ relation: string; url: string }>)[0]?.url).toContain('_count=50');
  });

  it('reports unknown parameters, or rejects them with Prefer: handling=strict', async () => {
    const lenient = await call(t.server, 'GET', '/fhir/Patient?family=diop&foo=bar');
    const outcome = (lenient.body as unknown as Bundle).entry?.find((e) => e.search?.mode === 'outcome');
    expect(JSON.stringify(outcome?.resource)).toContain('foo');
    expect((lenient.body.link as Array<{ url: string }>)[0]?.url).not.toContain('foo');
    const strict = await call(t.server, 'GET', '/fhir/Patient?family=diop&foo=bar', undefined, { prefer: 'handling=strict' });
    expect(strict.status).toBe(400);
  });

  it('PDQm domain filter keeps only the requested domains; an unknown domain is 404', async () => {
    const res = await call(t.server, 'GET', `/fhir/Patient?family=diop&identifier=${encodeURIComponent(`${DHIS2}|`)},${encodeURIComponent(`${NID}|`)}`);
    const ids = ((res.body as unknown as Bundle).entry?.[0]?.resource as Patient).identifier ?? [];
    expect(ids.every((i) => i.system === DHIS2 || i.system === NID)).toBe(true);
    const unknown = await call(t.server, 'GET', `/fhir/Patient?identifier=${encodeURIComponent('urn:nope|')},${encodeURIComponent(`${NID}|`)}`);
    expect(unknown.status).toBe(404);
  });

  it('POST _search with a form body, and _id search over source records', async () => {
    const res = await call(t.server, 'POST', '/fhir/Patient/_search', 'family=ndiaye', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(families(res.body)).toEqual(['Ndiaye']);
    const srcId = ((await call(t.server, 'GET', `/fhir/Patient?identifier=${NID}|222&record=source`)).body as unknown as Bundle).entry?.[0]?.resource?.id ?? '';
    const byId = await call(t.server, 'GET', `/fhir/Patient?_id=${srcId}`);
    expect(byId.body.total).toBe(1);
  });

  it.each([
    ['birthdate=1980-13-45'],
    ['birthdate=xx1990'],
    ['gender=robot'],
    ['family:fuzzy=diop'],
    ['_count=-1'],
    ['_sort=weight'],
  ])('400 for %s', async (qs) => {
    const res = await call(t.server, 'GET', `/fhir/Patient?${qs}`);
    expect(res.status).toBe(400);
    expect(res.body.resourceType).toBe('OperationOutcome');
  });

  it.each([['family=%7B%22%24ne%22%3Anull%7D'], ['family=.*'], ['given=%24where'], ['identifier=%7B%22%24gt%22%3A%22%22%7D']])('operators stay literal: %s', async (qs) => {
    const res = await call(t.server, 'GET', `/fhir/Patient?${qs}`);
    expect(res.status).toBe(200);
    expect(families(res.body)).toEqual([]);
  });

  it('a bracketed operator key is an unknown parameter: reported, or 400 when strict', async () => {
    const res = await call(t.server, 'GET', '/fhir/Patient?name[$ne]=x&family=zzz');
    expect(res.body.total).toBe(0);
    expect(JSON.stringify(res.body)).toContain('name[$ne]');
    expect((await call(t.server, 'GET', '/fhir/Patient?name[$ne]=x', undefined, { prefer: 'handling=strict' })).status).toBe(400);
  });
});
