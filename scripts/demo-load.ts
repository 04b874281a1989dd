/**
 * The demo's story, run against a mediator whose channels point at the demo upstreams
 * (scripts/demo-upstreams.ts): sync DHIS2, OpenMRS and iHRIS through the real channels, push the
 * published OpenMRS REST v1 patient the way an OpenHIM channel would, send the golden records to the
 * national registry, then print the golden records formed, the write-backs done and a PIXm query
 * that resolves a DHIS2 UID to its OpenMRS identifier.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPENMRS_ID_TYPE, openmrsPatientOf } from '../test/helpers/fakes/openmrs';
import { person, uidOf, variant } from '../test/helpers/fakes/people';
import { demoPopulation } from './demo-population';

type Json = Record<string, unknown>;
type Counts = Record<string, number>;

async function post(base: string, path: string, body?: unknown, type = 'application/json'): Promise<Json> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: body === undefined ? {} : { 'content-type': type }, body: body === undefined ? undefined : JSON.stringify(body) });
  return (await res.json()) as Json;
}

async function get(base: string, path: string): Promise<Json> {
  return (await (await fetch(`${base}${path}`)).json()) as Json;
}

async function sync(base: string, channel: string): Promise<Counts> {
  const started = Date.now();
  const run = await post(base, `/sync/${channel}/run`);
  const c = (run.counts ?? {}) as Counts;
  const rate = Math.round((c.received ?? 0) / Math.max(0.001, (Date.now() - started) / 1000));
  console.log(`  ${channel.padEnd(8)} ${(typeof run.status === 'string' ? run.status : '?').padEnd(9)} ${String(c.received ?? 0).padStart(5)} records (${rate}/s): created ${c.created ?? 0}, linked ${c.linked ?? 0}, review ${c.review ?? 0}, unchanged ${c.unchanged ?? 0}, failed ${c.failed ?? 0}, written back ${c.written_back ?? 0}${typeof run.error === 'string' ? `  (${run.error})` : ''}`);
  return c;
}

async function main(base: string): Promise<void> {
  const ranges = demoPopulation(Number(process.env.DEMO_PEOPLE ?? 2000));
  console.log('Syncing the source systems through the channels (POST /sync/{channel}/run):');
  const dhis2 = await sync(base, 'dhis2');
  const openmrs = await sync(base, 'openmrs');
  const ihris = await sync(base, 'ihris');
  const rest = JSON.parse(readFileSync(join(__dirname, '..', 'test', 'fixtures', 'payloads', 'openmrs', 'rest-v1-patient-search-v-default.docs.json'), 'utf8')) as unknown;
  const pushed = await post(base, '/channels/openmrs/patient', rest);
  console.log(`  pushed the published OpenMRS REST v1 patient (POST /channels/openmrs/patient): ${JSON.stringify((pushed.outcomes as Json[] | undefined)?.map((o) => o.status))}`);
  const ncr = await sync(base, 'ncr');
  const goldens = Number((await get(base, '/fhir/Patient?_summary=count')).total ?? 0);
  const sources = Number((await get(base, '/fhir/Patient?record=source&_summary=count')).total ?? 0);
  const reviews = Number((await get(base, '/mpi/reviews?state=open&limit=1')).total ?? 0);
  console.log(`\nGolden records formed: ${goldens.toLocaleString('en')} people from ${sources.toLocaleString('en')} patient records (${(sources - goldens).toLocaleString('en')} records linked to a person another record already stood for; ${openmrs.linked ?? 0} OpenMRS patients linked to their DHIS2 record), ${reviews} possible matches waiting for a data steward; ${(ihris.created ?? 0) + (ihris.updated ?? 0)} health-worker records and roles taken in from iHRIS.`);
  console.log(`Write-backs: ${dhis2.written_back ?? 0} MPI IDs to DHIS2 (attribute ${process.env.DHIS2_MPI_ID_ATTRIBUTE ?? ''}), ${openmrs.written_back ?? 0} to OpenMRS (identifier type ${process.env.OPENMRS_MPI_IDENTIFIER_TYPE ?? ''}), ${ncr.written_back ?? 0} national-registry ids cross-referenced.`);
  const shared = ranges.shared;
  const uid = uidOf(shared, 'T');
  const omrsId = openmrsPatientOf(variant(person(shared), 1)).identifier?.[0]?.value ?? '';
  const system = `urn:passerelle:openmrs:patient/identifier-type/${OPENMRS_ID_TYPE}`;
  const pixPath = `/fhir/Patient/$ihe-pix?sourceIdentifier=${encodeURIComponent(`urn:passerelle:dhis2:tracked-entity|${uid}`)}&targetSystem=${encodeURIComponent(system)}`;
  const pix = await get(base, pixPath);
  const found = ((pix.parameter as Json[] | undefined) ?? []).filter((p) => p.name === 'targetIdentifier').map((p) => (p.valueIdentifier as Json).value);
  console.log(`\nPIXm: DHIS2 tracked entity ${uid} is OpenMRS ID ${found.join(', ') || '(not found)'} (the OpenMRS patient's own ID: ${omrsId})`);
  console.log(`  curl -s '${base}${pixPath}'`);
  const golden = await get(base, `/mpi/resolve/${encodeURIComponent('urn:passerelle:dhis2:tracked-entity')}/${uid}`);
  if (typeof golden.mpi_id === 'string') console.log(`  golden record ${golden.mpi_id}: curl -s ${base}/mpi/${golden.mpi_id}`);
}

main(process.argv[2] ?? 'http://127.0.0.1:3000').catch((err: unknown) => {
  console.error(`the demo could not run: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
