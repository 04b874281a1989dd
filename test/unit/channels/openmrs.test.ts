import type { Patient } from 'fhir/r4';
import { createUpstreamClient } from '../../../src/channels/http';
import { OpenmrsChannel } from '../../../src/channels/openmrs/adapter';
import type { OpenmrsSettings } from '../../../src/channels/openmrs/adapter';
import type { InboundRecord, PulledPage } from '../../../src/channels/ports';
import { discardOrchestration } from '../../../src/core/orchestration';
import { FakeOpenmrs, MPI_ID_TYPE, openmrsPatientOf } from '../../helpers/fakes/openmrs';
import { person } from '../../helpers/fakes/people';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const payload = (f: string): unknown => JSON.parse(readFileSync(join(__dirname, '../../fixtures/payloads/openmrs', f), 'utf8'));
const fake = new FakeOpenmrs();
const SETTINGS: OpenmrsSettings = { pageSize: 4, identifierSystem: 'urn:omrs', mpiIdentifierType: MPI_ID_TYPE };

function channel(over: Partial<OpenmrsSettings> = {}): OpenmrsChannel {
  return new OpenmrsChannel(createUpstreamClient({ channel: 'openmrs', baseUrl: fake.url, timeoutMs: 2000, backoffMs: 1, auth: { kind: 'basic', username: 'admin', password: 'Admin123' }, sessionCookie: true }), { ...SETTINGS, ...over });
}

async function pullAll(c: OpenmrsChannel, from: unknown = null): Promise<{ records: InboundRecord[]; position: unknown; pages: PulledPage[] }> {
  const pages: PulledPage[] = [];
  let position = from;
  for (let guard = 0; guard < 50; guard++) {
    const page = await c.pull('Patient', position, { sink: discardOrchestration });
    pages.push(page);
    position = page.position;
    if (!page.more) break;
  }
  return { records: pages.flatMap((p) => p.records), position, pages };
}

beforeAll(() => fake.start());
afterAll(() => fake.close());
beforeEach(() => {
  fake.fhir.resources.clear();
  fake.fhir.http.reset();
  for (let i = 0; i < 10; i++) fake.put(openmrsPatientOf(person(i)));
});

describe('the OpenMRS channel', () => {
  it('follows next links to the end, then asks from its instant and skips what it took', async () => {
    const c = channel();
    const first = await pullAll(c);
    expect(first.records.map((r) => r.resourceId)).toEqual([...(fake.fhir.resources.get('Patient')?.keys() ?? [])]);
    expect(first.pages).toHaveLength(3);
    expect(first.records[0]).toMatchObject({ channel: 'openmrs', resourceType: 'Patient', mapping: 'openmrs-fhir2-patient', sourceIdentifier: { system: 'urn:omrs' } });
    expect(fake.fhir.http.requests[0]?.query.get('_sort')).toBe('_lastUpdated');
    expect(fake.fhir.http.requests[1]?.headers.cookie).toBe('JSESSIONID=fake-session-0001');
    const again = await pullAll(c, first.position);
    expect(again.records).toEqual([]);
    expect(again.pages[0]?.skipped).toBe(1);
    expect(fake.fhir.http.requests.at(-1)?.query.get('_lastUpdated')).toMatch(/^ge2026-01-05T08:00:00\.010\+00:00$/);
  });

  it('searches again from its instant when the server forgot its paging snapshot', async () => {
    const c = channel();
    const page1 = await c.pull('Patient', null, { sink: discardOrchestration });
    fake.fhir.forgetPages();
    const rest = await pullAll(c, page1.position);
    expect([...page1.records, ...rest.records].map((r) => r.resourceId)).toEqual([...(fake.fhir.resources.get('Patient')?.keys() ?? [])]);
  });

  it('writes the MPI ID back as an identifier, corrects a stale one, and leaves a current one', async () => {
    const c = channel();
    const { records } = await pullAll(c);
    const [a] = records as [InboundRecord];
    expect((await c.writeBack([{ record: a, mpiId: 'SL-WA-26-AAAA' }], discardOrchestration))[0]?.status).toBe('written');
    expect(fake.identifier(a.resourceId ?? '', MPI_ID_TYPE)).toBe('SL-WA-26-AAAA');
    const [fresh] = (await pullAll(c)).records.filter((r) => r.resourceId === a.resourceId) as [InboundRecord];
    expect((await c.writeBack([{ record: fresh, mpiId: 'SL-WA-26-AAAA' }], discardOrchestration))[0]?.status).toBe('already');
    expect((await c.writeBack([{ record: fresh, mpiId: 'SL-WA-26-BBBB' }], discardOrchestration))[0]?.status).toBe('written');
    expect(fake.identifier(a.resourceId ?? '', MPI_ID_TYPE)).toBe('SL-WA-26-BBBB');
    const ids = fake.fhir.get<Patient>('Patient', a.resourceId ?? '')?.identifier ?? [];
    expect(ids).toHaveLength(2);
  });

  it('reports a refused write-back', async () => {
    const c = channel();
    const [a] = (await pullAll(c)).records as [InboundRecord];
    fake.fhir.resources.get('Patient')?.delete(a.resourceId ?? '');
    expect((await c.writeBack([{ record: a, mpiId: 'X' }], discardOrchestration))[0]).toMatchObject({ status: 'failed', reason: 'openmrs answered 404' });
  });

  it('refuses wrong credentials without retrying', async () => {
    const bad = new OpenmrsChannel(createUpstreamClient({ channel: 'openmrs', baseUrl: fake.url, timeoutMs: 2000, auth: { kind: 'basic', username: 'admin', password: 'nope' } }), SETTINGS);
    await expect(bad.pull('Patient', null, { sink: discardOrchestration })).rejects.toMatchObject({ status: 401, failure: 'auth' });
  });

  it('takes pushed FHIR2 Patients, Bundles and REST v1 patients', () => {
    const c = channel();
    expect(c.recordsOfPush('Patient', { ...openmrsPatientOf(person(1)) }).map((r) => r.mapping)).toEqual(['openmrs-fhir2-patient']);
    expect(c.recordsOfPush('Patient', { resourceType: 'Bundle', type: 'collection', entry: [{ resource: openmrsPatientOf(person(1)) }, { resource: openmrsPatientOf(person(2)) }] })).toHaveLength(2);
    const rest = c.recordsOfPush('patient', payload('rest-v1-patient-search-v-default.docs.json'));
    expect(rest.map((r) => [r.resourceId, r.mapping])).toEqual([['b52ec6f9-0e26-424c-a4a1-c64f9d571eb3', 'openmrs-rest-patient']]);
    expect(() => c.recordsOfPush('Patient', [1, 2])).toThrow(/not an OpenMRS patient/);
  });
});
