/**
 * A real FHIR client (fhir-kit-client) against the FHIR plugin listening on a loopback port, over the
 * in-memory registry: create, conditional update, search with paging, PIXm and $match.
 */
import { Client } from 'fhir-kit-client';
import type { Bundle, Parameters, Patient } from 'fhir/r4';
import { expectValidFhir } from '../../helpers/fhir-schema';
import { buildFhirServer, DHIS2, NID } from './helpers';
import { aPatient } from '../../helpers/patients';
import type { FhirTestServer } from './helpers';

/** fhir-kit-client's methods with loose types (its own FHIR typings differ from @types/fhir). */
interface LooseClient {
  create(p: { resourceType: string; body: unknown }): Promise<unknown>;
  update(p: { resourceType: string; searchParams: Record<string, string>; body: unknown }): Promise<unknown>;
  search(p: { resourceType: string; searchParams: Record<string, string | number> }): Promise<unknown>;
  nextPage(p: { bundle: unknown }): Promise<unknown>;
  operation(p: { resourceType: string; name: string; method?: string; input: unknown }): Promise<unknown>;
}

describe('fhir-kit-client over a real port', () => {
  let t: FhirTestServer;
  let client: LooseClient;
  beforeAll(async () => {
    t = await buildFhirServer({ loopback: true });
    await t.server.start();
    client = new Client({ baseUrl: `${t.server.info.uri}/fhir` }) as unknown as LooseClient;
  });
  afterAll(async () => {
    await t.server.stop();
  });

  it('create, conditional update, paged search, PIXm and $match', async () => {
    const created = (await client.create({ resourceType: 'Patient', body: aPatient({ identifier: [{ system: DHIS2, value: 'K1' }, { system: NID, value: 'K-NID' }] }) })) as Patient;
    expectValidFhir(created);
    expect(created.link?.[0]?.type).toBe('refer');

    const updated = (await client.update({ resourceType: 'Patient', searchParams: { identifier: `${DHIS2}|K1` }, body: aPatient({ identifier: [{ system: DHIS2, value: 'K1' }, { system: NID, value: 'K-NID' }], gender: 'female', birthDate: '1990-04-12', name: [{ family: 'Diop', given: ['Awa', 'K'] }] }) })) as Patient;
    expectValidFhir(updated);
    expect(updated.id).toBe(created.id);
    expect(updated.meta?.versionId).toBe('2');

    for (let i = 0; i < 5; i++) {
      const p = aPatient({ identifier: [{ system: DHIS2, value: `PG${i}` }], name: [{ family: `Page${'ABCDE'[i]}${'xyzuv'[i]}`, given: [['Ama', 'Kofi', 'Seydou', 'Lina', 'Omar'][i] as string] }], birthDate: `19${50 + i * 7}-0${i + 1}-1${i}`, gender: i % 2 ? 'male' : 'female', telecom: [{ system: 'phone', value: `+22177000111${i}` }], address: [{ city: `City${i}` }] });
      expectValidFhir(await client.create({ resourceType: 'Patient', body: p }));
    }
    const page1 = (await client.search({ resourceType: 'Patient', searchParams: { family: 'page', record: 'source', _count: 2, _sort: 'family' } })) as Bundle;
    expectValidFhir(page1);
    expect(page1.total).toBe(5);
    const page2 = (await client.nextPage({ bundle: page1 })) as Bundle;
    expectValidFhir(page2);
    const page3 = (await client.nextPage({ bundle: page2 })) as Bundle;
    expectValidFhir(page3);
    const seen = [page1, page2, page3].flatMap((b) => (b.entry ?? []).map((e) => (e.resource as Patient).name?.[0]?.family));
    expect(seen).toEqual(['PageAx', 'PageBy', 'PageCz', 'PageDu', 'PageEv']);

    const pix = (await client.operation({ resourceType: 'Patient', name: '$ihe-pix', method: 'GET', input: { sourceIdentifier: `${DHIS2}|K1`, targetSystem: NID } })) as Parameters;
    expectValidFhir(pix);
    expect(pix.parameter?.find((p) => p.name === 'targetIdentifier')?.valueIdentifier).toEqual({ system: NID, value: 'K-NID' });

    const match = (await client.operation({ resourceType: 'Patient', name: '$match', input: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: aPatient({ identifier: undefined }) }] } })) as Bundle;
    expectValidFhir(match);
    expect(match.entry?.[0]?.search?.score).toBeGreaterThan(0);
  });
});
