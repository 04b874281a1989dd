/**
 * Demo data for `npm run demo`: the published OpenCR/OpenMRS FHIR Patients from ../shared/data,
 * registered through the FHIR API (the channels for DHIS2, OpenMRS and iHRIS polling land later),
 * plus a second system's record of one of them, which the registry links to the same golden record.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Patient } from 'fhir/r4';

const payloads = join(__dirname, '..', '..', 'shared', 'data', 'payloads');
const read = <T>(file: string): T => JSON.parse(readFileSync(join(payloads, file), 'utf8')) as T;

function demoPatients(): Array<{ label: string; patient: Patient }> {
  const patient1 = read<Patient>('opencr/patient1_openmrs.json');
  const searchset = read<Bundle>('opencr/patient3andlink.searchset.json');
  const patients = (searchset.entry ?? []).map((e) => e.resource).filter((r): r is Patient => r?.resourceType === 'Patient');
  const patient3 = patients.find((p) => p.name !== undefined) as Patient;
  const strip = ({ id: _id, meta: _meta, link: _link, ...rest }: Patient): Patient => rest;
  const dhis2Copy: Patient = {
    resourceType: 'Patient',
    identifier: [
      { system: 'http://dhis2.example.org/te', value: 'PQfMcpmXeFE', use: 'usual' },
      { system: 'http://health.go.ug/cr/nationalid', value: '228374844', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NI' }] } },
    ],
    name: [{ family: 'JOSHUA', given: ['Emmanuel'] }],
    gender: patient3.gender ?? 'male',
    birthDate: patient3.birthDate ?? '1972-01-08',
  };
  return [
    { label: 'OpenCR sample patient1 (OpenMRS)', patient: strip(patient1) },
    { label: 'OpenCR sample patient3 (OpenMRS)', patient: strip(patient3) },
    { label: 'the same person as patient3, recorded by DHIS2', patient: dhis2Copy },
  ];
}

async function main(base: string): Promise<void> {
  for (const { label, patient } of demoPatients()) {
    const res = await fetch(`${base}/fhir/Patient`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(patient) });
    const outcome = res.headers.get('x-passerelle-match-outcome') ?? '-';
    console.log(`  ${res.status} ${label}: golden ${res.headers.get('x-passerelle-golden-record') ?? '-'} (${outcome})`);
  }
}

main(process.argv[2] ?? 'http://127.0.0.1:3000').catch((err: unknown) => {
  console.error(`demo data could not be loaded: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
