/**
 * The upstream systems of `npm run demo`, on loopback: a DHIS2 2.41, an OpenMRS (FHIR2 + REST), an
 * iHRIS HAPI server and a national client registry (OpenCR's behaviour), the fakes the tests use,
 * fed with the published payloads (test/fixtures/payloads) and generated people of the same shape:
 * DEMO_PEOPLE people (default 2,000) spread over the three systems, with overlaps — the same person
 * in DHIS2 and OpenMRS, a health worker who is also an OpenMRS patient — and clerks' variations
 * (typos, swapped day and month, all-capitals names, a missing phone).
 *
 * Writes the settings the mediator needs (DHIS2_BASE_URL…) to the file given as first argument
 * (`KEY=value` lines) and stays up until it is stopped.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from 'fhir/r4';
import { FakeDhis2, SL, trackedEntityOf } from '../test/helpers/fakes/dhis2';
import type { FakeTrackedEntity } from '../test/helpers/fakes/dhis2';
import { FakeIhris, practitionerOf, roleOf } from '../test/helpers/fakes/ihris';
import { FakeNcr } from '../test/helpers/fakes/ncr';
import { FakeOpenmrs, MPI_ID_TYPE, openmrsPatientOf } from '../test/helpers/fakes/openmrs';
import { person, variant } from '../test/helpers/fakes/people';
import { demoPopulation } from './demo-population';

const PAYLOADS = join(__dirname, '..', 'test', 'fixtures', 'payloads');
const read = <T>(file: string): T => JSON.parse(readFileSync(join(PAYLOADS, file), 'utf8')) as T;

function feedDhis2(dhis2: FakeDhis2, ranges: ReturnType<typeof demoPopulation>): void {
  // The published single tracked entity (Sierra Leone UIDs, program attributes under enrollments).
  const published = read<FakeTrackedEntity & { enrollments: FakeTrackedEntity['enrollments'] }>('dhis2/trackedEntity-single-v2.41plus.docs.json');
  dhis2.put({ ...published, updatedAt: '', createdAt: '', enrollments: published.enrollments.map((e) => ({ program: e.program, orgUnit: e.orgUnit, attributes: e.attributes })) });
  for (let i = ranges.dhis2.from; i < ranges.dhis2.to; i++) dhis2.put(trackedEntityOf(person(i), { orgUnit: i % 3 === 0 ? SL.ngelehun : 'Rp268JB6Ne4' }));
}

function feedOpenmrs(openmrs: FakeOpenmrs, ranges: ReturnType<typeof demoPopulation>): void {
  for (let i = ranges.openmrs.from; i < ranges.openmrs.to; i++) openmrs.put(openmrsPatientOf(variant(person(i), 1)));
}

function feedIhris(ihris: FakeIhris, ranges: ReturnType<typeof demoPopulation>): void {
  for (const file of ['ihris/bundle-Practitioner.excerpt.json', 'ihris/bundle-PractitionerRole.excerpt.json']) {
    for (const e of read<Bundle>(file).entry ?? []) if (e.resource) ihris.put(e.resource);
  }
  for (let i = ranges.ihris.from; i < ranges.ihris.to; i++) {
    ihris.put(practitionerOf(variant(person(i), 2), `P${i}`));
    ihris.put(roleOf(`PR${i}`, `P${i}`, i));
  }
}

async function main(envFile: string): Promise<void> {
  const ranges = demoPopulation(Number(process.env.DEMO_PEOPLE ?? 2000));
  const dhis2 = new FakeDhis2('2.41');
  const openmrs = new FakeOpenmrs();
  const ihris = new FakeIhris();
  const ncr = new FakeNcr();
  await Promise.all([dhis2.start(), openmrs.start(), ihris.start(), ncr.start()]);
  feedDhis2(dhis2, ranges);
  feedOpenmrs(openmrs, ranges);
  feedIhris(ihris, ranges);
  const env = {
    DHIS2_ENABLED: 'true', DHIS2_BASE_URL: dhis2.url, DHIS2_USERNAME: 'admin', DHIS2_PASSWORD: 'district', DHIS2_MPI_ID_ATTRIBUTE: SL.mpiId, DHIS2_PAGE_SIZE: '250',
    OPENMRS_ENABLED: 'true', OPENMRS_BASE_URL: openmrs.url, OPENMRS_USERNAME: 'admin', OPENMRS_PASSWORD: 'Admin123', OPENMRS_MPI_IDENTIFIER_TYPE: MPI_ID_TYPE, OPENMRS_PAGE_SIZE: '100',
    IHRIS_ENABLED: 'true', IHRIS_BASE_URL: ihris.fhirBase, IHRIS_PAGE_SIZE: '250',
    NCR_ENABLED: 'true', NCR_BASE_URL: ncr.fhirBase, NCR_CLIENT_ID: 'passerelle', NCR_SEND_DELAY_SECONDS: '0', NCR_PAGE_SIZE: '500',
    DHIS2_POLL_INTERVAL_SECONDS: '3600', OPENMRS_POLL_INTERVAL_SECONDS: '3600', IHRIS_POLL_INTERVAL_SECONDS: '3600', NCR_POLL_INTERVAL_SECONDS: '3600',
    DEFAULT_PHONE_COUNTRY: 'SL', MPI_ID_COUNTRY: 'SL', MPI_ID_REGION: 'WA',
  };
  writeFileSync(envFile, `${Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n')}\n`);
  process.stdout.write(`upstreams up: DHIS2 ${dhis2.entities.size} tracked entities, OpenMRS ${openmrs.fhir.resources.get('Patient')?.size ?? 0} patients, iHRIS ${ihris.resources.get('Practitioner')?.size ?? 0} health workers\n`);
  const stop = (): void => {
    void Promise.all([dhis2.close(), openmrs.close(), ihris.close(), ncr.close()]).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main(process.argv[2] ?? '.stack/demo-upstreams.env').catch((err: unknown) => {
  process.stderr.write(`demo upstreams failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
