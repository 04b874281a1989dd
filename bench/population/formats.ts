/**
 * Writers for generated records: the `generic` CSV of contracts.md §4 (with the truth and the
 * household and twin relations), and payloads shaped as the source systems publish them
 * (reference/source-systems.md): a DHIS2 2.41+ tracked-entity page with the Sierra Leone Person
 * attributes, an OpenMRS REST v1 patient search page, and a FHIR R4 batch Bundle of conditional
 * updates (ITI-104). Writers stream record by record, so a million records never become one string.
 */
import { createHash } from 'node:crypto';
import type { GeneratedRecord, SourceSystem } from './population';

export type OutputFormat = 'generic' | 'dhis2' | 'openmrs' | 'fhir';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['generic', 'dhis2', 'openmrs', 'fhir'];

/** Where a writer puts its text. */
export type Sink = (text: string) => void;

const GENERIC_COLUMNS = [
  'record_id', 'entity_id', 'source', 'given_name', 'family_name', 'birth_date', 'gender', 'phone', 'national_id',
  'other_id', 'city', 'state', 'address_line', 'household_id', 'twin_id',
] as const;

function csvCell(v: string | undefined): string {
  if (v === undefined) return '';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function genericRow(r: GeneratedRecord): string {
  const cells = [r.recordId, r.entityId, r.source, r.given, r.family, r.birthDate, r.gender, r.phone, r.nationalId, r.otherId, r.city, r.state, r.address, r.household, r.twin];
  return cells.map(csvCell).join(',');
}

/** A stable UUID derived from a name (so payloads are reproducible from the seed). */
function uuidOf(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A stable DHIS2 UID derived from a name. */
function uidOf(name: string): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const h = createHash('sha256').update(name).digest();
  let uid = chars.charAt((h[0] as number) % 52);
  for (let i = 1; i < 11; i++) uid += chars.charAt((h[i] as number) % chars.length);
  return uid;
}

/** A timestamp for a record, derived from its key (DHIS2 writes server-local time without an offset). */
function stampOf(key: string): string {
  const h = createHash('sha256').update(key).digest();
  const day = new Date(Date.UTC(2019, 0, 1) + ((h.readUInt32BE(0) % (6 * 365 * 86400)) * 1000));
  return day.toISOString().replace('Z', '');
}

// Sierra Leone demo "Person" tracked-entity attributes (source-systems.md §1.8).
const DHIS2_ATTRIBUTES: ReadonlyArray<readonly [keyof GeneratedRecord, string, string, string | undefined, string]> = [
  ['given', 'w75KJ2mc4zz', 'First name', 'MMD_PER_NAM', 'TEXT'],
  ['family', 'zDhUuAYrxNC', 'Last name', undefined, 'TEXT'],
  ['gender', 'cejWyOfXge6', 'Gender', undefined, 'TEXT'],
  ['birthDate', 'iESIqZ0R0R0', 'Date of birth', undefined, 'DATE'],
  ['nationalId', 'AuPLng5hLbE', 'National identifier', 'National identifier', 'TEXT'],
  ['otherId', 'ruQQnf6rswq', 'TB number', undefined, 'TEXT'],
  ['phone', 'P2cwLGskgxn', 'Phone number', undefined, 'TEXT'],
  ['address', 'VqEFza8wbwA', 'Address', 'MMD_PER_ADR1', 'TEXT'],
  ['city', 'FO4sWYJ64LQ', 'City', 'City', 'TEXT'],
  ['state', 'GUOBQt5K2WI', 'State', 'State', 'TEXT'],
];

function dhis2Value(field: keyof GeneratedRecord, r: GeneratedRecord): string | undefined {
  const v = r[field];
  if (typeof v !== 'string') return undefined;
  if (field === 'gender') return v === 'male' ? 'Male' : 'Female';
  // A DATE attribute holds a full date: a year-only estimate is entered as 1 January.
  if (field === 'birthDate' && /^\d{4}$/.test(v)) return `${v}-01-01`;
  return v;
}

function dhis2Entity(r: GeneratedRecord): object {
  const stamp = stampOf(r.recordId);
  const attributes = DHIS2_ATTRIBUTES.flatMap(([field, attribute, displayName, code, valueType]) => {
    const value = dhis2Value(field, r);
    return value === undefined ? [] : [{ attribute, ...(code ? { code } : {}), displayName, createdAt: stamp, updatedAt: stamp, storedBy: 'passerelle-gen', valueType, value }];
  });
  return {
    trackedEntity: r.recordId, trackedEntityType: 'nEenWmSyUEp', createdAt: stamp, createdAtClient: stamp, updatedAt: stamp, updatedAtClient: stamp,
    orgUnit: uidOf(`orgunit:${r.state ?? r.city ?? r.country}`), inactive: false, deleted: false, potentialDuplicate: false, attributes,
  };
}

const OPENMRS_ID_TYPE = { uuid: '05a29f94-c0ed-11e2-94be-8c13b969e334', display: 'OpenMRS ID' };
const NATIONAL_ID_TYPE = { uuid: uuidOf('openmrs:identifier-type:national-id'), display: 'National ID' };
const ART_NUMBER_TYPE = { uuid: uuidOf('openmrs:identifier-type:art-number'), display: 'ART Number' };
const PHONE_ATTRIBUTE = { uuid: '14d4f066-15f5-102d-96e4-000c29c2a5d7', display: 'Telephone Number' };

function openmrsIdentifiers(r: GeneratedRecord, location: object): object[] {
  const ids: Array<[string | undefined, { uuid: string; display: string }, boolean]> = [[r.recordId, OPENMRS_ID_TYPE, true], [r.nationalId, NATIONAL_ID_TYPE, false], [r.otherId, ART_NUMBER_TYPE, false]];
  return ids.flatMap(([identifier, identifierType, preferred]) => (identifier === undefined ? [] : [{
    uuid: uuidOf(`${r.recordId}:${identifierType.display}`), display: `${identifierType.display} = ${identifier}`, identifier, identifierType, location, preferred, voided: false,
  }]));
}

function openmrsName(r: GeneratedRecord): object {
  // Compound given names go into givenName + middleName half the time, as clerks split them.
  const parts = (r.given ?? '').split(' ');
  const split = parts.length > 1 && r.recordId.charCodeAt(r.recordId.length - 1) % 2 === 0;
  const givenName = split ? parts[0] : r.given ?? null;
  const middleName = split ? parts.slice(1).join(' ') : null;
  const display = [r.given, r.family].filter(Boolean).join(' ');
  return { uuid: uuidOf(`${r.recordId}:name`), display, givenName, middleName, familyName: r.family ?? null, preferred: true, voided: false };
}

function openmrsPatient(r: GeneratedRecord): object {
  const uuid = uuidOf(`openmrs:${r.recordId}`);
  const location = { uuid: uuidOf(`location:${r.city ?? r.country}`), display: `${r.city ?? 'Unknown'} Health Centre` };
  const name = openmrsName(r);
  const address = { uuid: uuidOf(`${r.recordId}:address`), display: r.address ?? '', address1: r.address ?? null, cityVillage: r.city ?? null, stateProvince: r.state ?? null, country: r.country === 'SN' ? 'Senegal' : 'Uganda', preferred: true, voided: false };
  const estimated = r.birthDateEstimated === true;
  const birthdate = r.birthDate ? `${/^\d{4}$/.test(r.birthDate) ? `${r.birthDate}-01-01` : r.birthDate}T00:00:00.000+0000` : null;
  const attributes = r.phone ? [{ uuid: uuidOf(`${r.recordId}:phone`), display: `Telephone Number = ${r.phone}`, value: r.phone, attributeType: PHONE_ATTRIBUTE, voided: false }] : [];
  return {
    uuid, display: `${r.recordId} - ${(name as { display: string }).display}`, identifiers: openmrsIdentifiers(r, location),
    person: {
      uuid, display: (name as { display: string }).display, gender: r.gender === 'male' ? 'M' : r.gender === 'female' ? 'F' : 'U', birthdate, birthdateEstimated: estimated,
      dead: false, deathDate: null, causeOfDeath: null, preferredName: name, names: [name], preferredAddress: r.address || r.city ? address : null,
      addresses: r.address || r.city ? [address] : [], attributes, voided: false, birthtime: null, deathdateEstimated: false,
    },
    voided: false,
  };
}

const FHIR_SYSTEMS: Record<SourceSystem, string> = {
  dhis2: 'http://dhis2.example.org/trackedEntity',
  openmrs: 'http://openmrs.example.org/openmrs-id',
  ncr: 'http://clientregistry.org/ncr',
};

function fhirPatient(r: GeneratedRecord): object {
  const nin = r.country === 'UG' ? 'http://health.go.ug/cr/nationalid' : 'urn:oid:2.16.686.1.1.1';
  const identifier = [
    { use: 'usual', system: FHIR_SYSTEMS[r.source], value: r.recordId },
    ...(r.nationalId ? [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NI' }] }, system: nin, value: r.nationalId }] : []),
    ...(r.otherId ? [{ use: 'official', system: 'urn:passerelle:programme:art', value: r.otherId }] : []),
  ];
  const given = r.given ? r.given.split(' ').filter(Boolean) : undefined;
  const hasAddress = r.address || r.city || r.state;
  return {
    resourceType: 'Patient', identifier, active: true,
    ...(r.given || r.family ? { name: [{ use: 'official', ...(r.family ? { family: r.family } : {}), ...(given ? { given } : {}) }] } : {}),
    ...(r.phone ? { telecom: [{ system: 'phone', value: r.phone }] } : {}),
    ...(r.gender ? { gender: r.gender } : {}),
    ...(r.birthDate ? { birthDate: r.birthDate } : {}),
    ...(hasAddress ? { address: [{ use: 'home', ...(r.address ? { line: [r.address] } : {}), ...(r.city ? { city: r.city } : {}), ...(r.state ? { state: r.state } : {}), country: r.country }] } : {}),
  };
}

function fhirEntry(r: GeneratedRecord): object {
  return {
    fullUrl: `urn:uuid:${uuidOf(`fhir:${r.recordId}`)}`, resource: fhirPatient(r),
    request: { method: 'PUT', url: `Patient?identifier=${encodeURIComponent(`${FHIR_SYSTEMS[r.source]}|${r.recordId}`)}` },
  };
}

function jsonList(sink: Sink, records: GeneratedRecord[], head: string, tail: string, item: (r: GeneratedRecord) => object): void {
  sink(head);
  records.forEach((r, i) => sink(`${i === 0 ? '' : ',\n'}${JSON.stringify(item(r))}`));
  sink(tail);
}

/**
 * Write records in a format.
 * @param format - generic CSV or a source system's payload
 * @param records - the records
 * @param sink - receives the text in pieces
 */
export function writeRecords(format: OutputFormat, records: GeneratedRecord[], sink: Sink): void {
  if (format === 'generic') {
    sink(`${GENERIC_COLUMNS.join(',')}\n`);
    for (const r of records) sink(`${genericRow(r)}\n`);
  } else if (format === 'dhis2') {
    jsonList(sink, records, `{"pager":{"page":1,"pageSize":${records.length},"total":${records.length},"pageCount":1},"trackedEntities":[\n`, '\n]}\n', dhis2Entity);
  } else if (format === 'openmrs') {
    jsonList(sink, records, '{"results":[\n', '\n]}\n', openmrsPatient);
  } else {
    jsonList(sink, records, `{"resourceType":"Bundle","type":"batch","entry":[\n`, '\n]}\n', fhirEntry);
  }
}

/**
 * The truth of a source-system payload: each record's key with its person, household and twin set.
 * @param records - the records
 * @param sink - receives the CSV text
 */
export function writeTruth(records: GeneratedRecord[], sink: Sink): void {
  sink('record_id,entity_id,source,household_id,twin_id\n');
  for (const r of records) sink(`${[r.recordId, r.entityId, r.source, r.household, r.twin].map(csvCell).join(',')}\n`);
}
