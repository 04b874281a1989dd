import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MappingCompileError, lineAndColumn, loadTransforms } from '../../../src/transforms';
import { dhis2Attribute, phoneE164, toDate, toDateTime, translateCode } from '../../../src/transforms/functions';
import type { MappingFunctionOptions } from '../../../src/transforms/functions';
import { buildTransforms } from '../../../src/transforms-module';
import { buildTestApp } from '../../helpers/app';
import { liveSettings, testTransforms } from '../../helpers/transforms';

const OPTS: MappingFunctionOptions = {
  translate: (url, code) => (url === 'urn:map' && code === 'M' ? 'male' : undefined),
  phoneCountry: () => 'SL',
  dhis2Attributes: () => ({ firstName: ['w75KJ2mc4zz', 'dv3nChNSIxy'] }),
};

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mappings-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('compiling mappings at start', () => {
  it('names the file, line, column and token of a syntax error', () => {
    const dir = folder({ 'broken.jsonata': '(\n  $a := 1;\n  { "x": $a, }\n)' });
    const load = (): unknown => loadTransforms({ dirs: [dir], functions: OPTS, settings: () => ({}) });
    expect(load).toThrow(MappingCompileError);
    expect(load).toThrow(`Mapping ${join(dir, 'broken.jsonata')}: line 3, column 14, at "}"`);
  });

  it('reports an unterminated expression at its end', () => {
    const dir = folder({ 'open.jsonata': '{ "a": b' });
    expect(() => loadTransforms({ dirs: [dir], functions: OPTS, settings: () => ({}) })).toThrow(/line 1, column 8, at "\(end\)": Expected "}" before end of expression \(S0203\)/);
  });

  it('counts lines and columns from 1', () => {
    expect(lineAndColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });

  it('lets MAPPINGS_DIR replace a bundled mapping and add new ones, without a rebuild', async () => {
    const dir = folder({
      'csv-row.jsonata': '{ "resourceType": "Patient", "identifier": [{ "system": "urn:mine", "value": record_id }] }',
      'my-source.jsonata': '{ "resourceType": "Patient", "gender": $translate(sex, "https://passerelle.health/fhir/ConceptMap/openmrs-gender-to-fhir") }',
    });
    const t = testTransforms({}, { mappingsDir: dir });
    expect(t.get('csv-row')).toMatchObject({ origin: 'deployment', file: join(dir, 'csv-row.jsonata') });
    expect(t.get('dhis2-tracked-entity').origin).toBe('bundled');
    expect(await t.map('csv-row', { record_id: 'r1' }, 'Patient')).toEqual({ ok: true, resource: { resourceType: 'Patient', identifier: [{ system: 'urn:mine', value: 'r1' }] } });
    expect(await t.map('my-source', { sex: 'F' }, 'Patient')).toEqual({ ok: true, resource: { resourceType: 'Patient', gender: 'female' } });
  });

  it('refuses an unknown mapping name with the known ones', () => {
    expect(() => testTransforms().get('nope')).toThrow('No mapping named nope');
  });
});

describe('mapping a record', () => {
  const dir = folder({
    'bad-gender.jsonata': '{ "resourceType": "Patient", "gender": "x" }',
    'many.jsonata': '[{ "resourceType": "Patient" }, { "resourceType": "Patient" }]',
    'practitioner.jsonata': '{ "resourceType": "Practitioner" }',
    'blank.jsonata': '{ "resourceType": "Patient", "name": [{ "given": [""], "family": null }], "telecom": [] }',
    'settings.jsonata': '{ "resourceType": "Patient", "identifier": [{ "system": $settings.dhis2System, "value": "A" }] }',
    'organization.jsonata': '{ "resourceType": "Patient", "managingOrganization": organization }',
  });
  const t = testTransforms({}, { mappingsDir: dir });

  it('validates the output as FHIR R4 and says where it is wrong', async () => {
    const r = await t.map('bad-gender', {}, 'Patient');
    expect(r).toMatchObject({ ok: false, stage: 'validation', issues: [expect.objectContaining({ path: 'Patient.gender' })] });
  });

  it('refuses an array or another resource type', async () => {
    expect(await t.map('many', {}, 'Patient')).toMatchObject({ ok: false, stage: 'validation', issues: [{ message: 'the mapping produced an array, not a Patient' }] });
    expect(await t.map('practitioner', {}, 'Patient')).toMatchObject({ ok: false, issues: [{ path: 'resourceType', message: 'expected Patient, got Practitioner' }] });
  });

  it('fails validation, without throwing, on a copied element the FHIR validator cannot read', async () => {
    expect(await t.map('organization', { organization: { reference: 5 } }, 'Patient')).toMatchObject({ ok: false, stage: 'validation' });
  });

  it('drops the empty values FHIR forbids', async () => {
    expect(await t.map('blank', {}, 'Patient')).toEqual({ ok: true, resource: { resourceType: 'Patient' } });
  });

  it('reads $settings from the current live settings at each evaluation', async () => {
    let live = liveSettings();
    const reconfigurable = buildTransforms({ live: () => live, phoneCountry: 'SL', mappingsDir: dir });
    expect(await reconfigurable.map('settings', {}, 'Patient')).toMatchObject({ resource: { identifier: [{ system: 'urn:passerelle:dhis2:tracked-entity' }] } });
    live = liveSettings({ dhis2IdentifierSystem: 'https://dhis2.moh.example.org/te' });
    expect(await reconfigurable.map('settings', {}, 'Patient')).toMatchObject({ resource: { identifier: [{ system: 'https://dhis2.moh.example.org/te' }] } });
  });

  it('turns a JSONata runtime error into a mapping failure with its position', async () => {
    const d = folder({ 'sum.jsonata': '$number(x) + 1' });
    const r = await testTransforms({}, { mappingsDir: d }).map('sum', { x: 'abc' }, 'Patient');
    expect(r).toMatchObject({ ok: false, stage: 'mapping', reason: expect.stringMatching(/Unable to cast value to a number.*\[D3030\]/) });
  });
});

describe('custom functions (the examples of src/transforms/README.md)', () => {
  it('$toDate takes the date part as written, never shifted by a zone', () => {
    expect(toDate('2019-08-21T13:25:38.022')).toBe('2019-08-21');
    expect(toDate('2014-03-28 12:27:52.399')).toBe('2014-03-28');
    expect(toDate('1936-12-04T00:00:00.000+0000')).toBe('1936-12-04');
    expect(toDate('2020-01-01T23:30:00-05:00')).toBe('2020-01-01');
    expect(toDate('1980')).toBe('1980');
    expect(toDate('1980-07')).toBe('1980-07');
    expect(toDate('')).toBeUndefined();
    expect(() => toDate('2019-02-30')).toThrow('not a calendar date');
    expect(() => toDate('yesterday')).toThrow('is not a date');
    expect(() => toDate(19800101)).toThrow('must be a string');
  });

  it('$toDateTime adds the source zone to an offset-less timestamp', () => {
    expect(toDateTime('2019-08-21T13:25:38.022')).toBe('2019-08-21T13:25:38.022Z');
    expect(toDateTime('2014-03-28 12:27:52.399', '+02:00')).toBe('2014-03-28T12:27:52.399+02:00');
    expect(toDateTime('1936-12-04T00:00:00.000+0000')).toBe('1936-12-04T00:00:00.000+00:00');
    expect(toDateTime('2020-05-01T10:15')).toBe('2020-05-01T10:15:00Z');
    expect(toDateTime('2020-05-01')).toBe('2020-05-01');
  });

  it('$phoneE164 reads national numbers in the deployment country', () => {
    const f = phoneE164(OPTS);
    expect(f('076 123456')).toBe('+23276123456');
    expect(f('0772 123456', 'UG')).toBe('+256772123456');
    expect(f('+256 772 123456')).toBe('+256772123456');
    expect(f('12')).toBeUndefined();
  });

  it('$dhis2Attribute looks up by field or UID, type attributes first, then program attributes', () => {
    const te = { attributes: [{ attribute: 'zDhUuAYrxNC', value: 'Kelly' }], enrollments: [{ attributes: [{ attribute: 'dv3nChNSIxy', value: 'John' }, { attribute: 'zDhUuAYrxNC', value: 'Other' }] }] };
    const f = dhis2Attribute(OPTS);
    expect(f(te, 'firstName')).toBe('John');
    expect(f(te, 'zDhUuAYrxNC')).toBe('Kelly');
    expect(f(te, 'nope')).toBeUndefined();
    expect(f(null, 'firstName')).toBeUndefined();
  });

  it('$translate maps a code through a ConceptMap', () => {
    const f = translateCode(OPTS);
    expect(f('M', 'urn:map')).toBe('male');
    expect(f('X', 'urn:map')).toBeUndefined();
    expect(f(undefined, 'urn:map')).toBeUndefined();
  });
});

describe('start-up', () => {
  it('refuses to build the app when a deployment mapping does not compile', async () => {
    const dir = folder({ 'dhis2-tracked-entity.jsonata': '{ "resourceType": "Patient", "gender": $x + }' });
    await expect(buildTestApp({ MAPPINGS_DIR: dir })).rejects.toThrow(/dhis2-tracked-entity\.jsonata: line 1, column 45, at "}"/);
  });
});
