/**
 * The Kafka ingest page handler on the memory registry with the FHIR API's Patient validator: what
 * each kind of payload registers, and the reason every kind of bad input gets on its dead letter.
 */
import type { Bundle, Patient } from 'fhir/r4';
import { MediatorError } from '../../../src/core/errors';
import type { InboundMessage } from '../../../src/events/ports';
import { FhirFormats } from '../../../src/fhir/format';
import { mergeByLink, replacedByLink, withoutReplacedBy } from '../../../src/fhir/patient/merge-link';
import { validateResource } from '../../../src/fhir/validate';
import type { IngestMapping } from '../../../src/flows/ingest/mapping';
import { createIngestHandler } from '../../../src/flows/ingest/page-handler';
import type { RegistryService } from '../../../src/registry/api';
import { memoryLogger } from '../../helpers/silent-logger';
import { makeService } from '../registry/helpers';

const formats = new FhirFormats();
let offset = 0;

function message(topic: string, value: unknown, headers: Record<string, string> = {}): InboundMessage {
  return { topic, partition: 0, offset: String(offset++), key: null, value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)), headers };
}

const person = (value: string, extra: Partial<Patient> = {}): Patient => ({
  resourceType: 'Patient', identifier: [{ system: 'urn:openmrs', value }], name: [{ family: `Fam${value}`, given: ['Awa'] }], birthDate: '1990-01-01', gender: 'female', ...extra,
});

function handlerFor(registry: RegistryService, mappings = new Map<string, IngestMapping>()): ReturnType<typeof createIngestHandler> {
  return createIngestHandler({
    registry,
    validatePatient: (body) => validateResource<Patient>(body, 'Patient', formats),
    mappings,
    originOf: (topic) => (topic === 'openhim' ? { kind: 'openhim' } : topic.startsWith('ingest.') ? { kind: 'source', source: topic.slice(7) } : null),
    replacedBy: { linkOf: replacedByLink, withoutLink: withoutReplacedBy, merge: mergeByLink },
    logger: memoryLogger().logger,
  });
}

describe('Kafka ingest page handler', () => {
  it('registers a Patient, the Patients of a transaction Bundle (skipping other resources) and of a PMIR message', async () => {
    const { service } = makeService();
    const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [
      { resource: person('B1'), request: { method: 'PUT', url: 'Patient?identifier=urn:openmrs|B1' } },
      { resource: { resourceType: 'Encounter', status: 'finished', class: { code: 'AMB' } }, request: { method: 'POST', url: 'Encounter' } },
    ] } as unknown as Bundle;
    const pmir = { resourceType: 'Bundle', type: 'message', entry: [
      { fullUrl: 'urn:uuid:1', resource: { resourceType: 'MessageHeader', eventUri: 'urn:ihe:iti:pmir:2019:patient-feed', source: { endpoint: 'urn:x' }, focus: [{ reference: 'urn:uuid:2' }] } },
      { fullUrl: 'urn:uuid:2', resource: { resourceType: 'Bundle', type: 'history', entry: [{ resource: person('M1'), request: { method: 'POST', url: 'Patient' }, response: { status: '201' } }] } },
    ] } as unknown as Bundle;
    const out = await handlerFor(service)([message('ingest.openmrs', person('P1')), message('ingest.openmrs', bundle), message('ingest.openmrs', pmir)]);
    expect(out.deadLetters).toEqual([]);
    for (const v of ['P1', 'B1', 'M1']) expect((await service.getSource(`urn:openmrs|${v}`))?.sourceSystem).toBe('openmrs');
  });

  it('sends each kind of bad input to the dead-letter topic with its reason, and keeps the good records of a page', async () => {
    const { service } = makeService();
    const bad = message('ingest.openmrs', { resourceType: 'Bundle', type: 'batch', entry: [{ resource: { ...person('G1') } }, { resource: { ...person('X1'), birthDate: '1990-13-45' } }] });
    const page = [
      message('ingest.openmrs', '{not json'),
      message('ingest.openmrs', { some: 'csv-ish row' }),
      message('ingest.openmrs', { resourceType: 'Observation', status: 'final', code: {} }),
      bad,
      message('ingest.openmrs', { resourceType: 'Patient', name: [{ family: 'NoId' }] }),
      message('ingest.unknown-topic-name', person('U1')),
      message('elsewhere', person('E1')),
      message('ingest.openmrs', { resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'DELETE', url: 'Patient?identifier=urn:openmrs|nobody' } }] }),
      message('ingest.openmrs', person('OK1')),
    ];
    const out = await handlerFor(service)(page);
    const byOffset = out.deadLetters.map((d) => [Number(d.message.offset), d.code]).sort((a, b) => (a[0] as number) - (b[0] as number));
    expect(byOffset).toEqual([
      [0, 'unparseable'], [1, 'no-mapping'], [2, 'no-mapping'], [3, 'invalid'], [4, 'invalid'], [6, 'no-mapping'], [7, 'not-found'],
    ].map(([i, code]) => [Number(page[i as number]!.offset), code]).sort((a, b) => (a[0] as number) - (b[0] as number)));
    const invalidEntry = out.deadLetters.find((d) => d.message === bad);
    expect(invalidEntry?.reason).toMatch(/^entry 1: /);
    expect(JSON.parse(invalidEntry?.value ?? '{}')).toMatchObject({ identifier: [{ value: 'X1' }] });
    expect(out.deadLetters.find((d) => d.message === page[4])?.key).toBeUndefined();
    for (const v of ['G1', 'OK1', 'U1']) expect(await service.getSource(`urn:openmrs|${v}`)).not.toBeNull();
    expect(await service.getSource('urn:openmrs|X1')).toBeNull();
  });

  it('unwraps OpenHIM Kafka-route envelopes: client id as source system, transaction id on the change', async () => {
    const { service, store } = makeService();
    const envelope = { method: 'POST', path: '/fhir/Patient', pattern: '^/fhir/.*$', headers: { 'X-OpenHIM-ClientID': 'hospital-a', 'x-openhim-transactionid': 'tx-42' }, body: JSON.stringify(person('H1')), response: {} };
    const out = await handlerFor(service)([message('openhim', envelope), message('openhim', { ...envelope, body: '<xml/>' }), message('openhim', 'nope')]);
    expect(out.deadLetters.map((d) => d.code)).toEqual(['unparseable', 'unparseable']);
    expect((await service.getSource('urn:openmrs|H1'))?.sourceSystem).toBe('hospital-a');
    expect((await store.outbox.pending(10))[0]?.transactionId).toBe('tx-42');
  });

  it('maps native payloads with the source mapping; a failing mapping is a dead letter', async () => {
    const { service } = makeService();
    const dhis2: IngestMapping = {
      toFhir: async (p) => {
        const row = p as { uid: string; family?: string };
        if (!row.family) throw new Error('attribute family missing');
        return person(row.uid, { identifier: [{ system: 'urn:dhis2', value: row.uid }], name: [{ family: row.family, given: ['Awa'] }] });
      },
    };
    const out = await handlerFor(service, new Map([['dhis2', dhis2]]))([message('ingest.dhis2', { uid: 'T1', family: 'Sow' }), message('ingest.dhis2', { uid: 'T2' })]);
    expect(out.deadLetters.map((d) => [d.code, d.reason])).toEqual([['transform-failed', 'mapping of source dhis2 failed: attribute family missing']]);
    expect((await service.getSource('urn:dhis2|T1'))?.patient.name?.[0]?.family).toBe('Sow');
  });

  it('deactivates on DELETE and merges on a replaced-by link, as the HTTP API does', async () => {
    const { service } = makeService();
    const a = await service.registerSource({ patient: person('A', { name: [{ family: 'Ka', given: ['Ndeye'] }], birthDate: '1970-02-02' }), sourceSystem: 'openmrs', actor: { clientId: 't' } });
    await service.registerSource({ patient: person('D'), sourceSystem: 'openmrs', actor: { clientId: 't' } });
    const retiring = person('R', { name: [{ family: 'Mbaye', given: ['Ali'] }], birthDate: '1960-03-03', link: [{ type: 'replaced-by', other: { reference: `Patient/${a.golden.mpiId}` } }] });
    const out = await handlerFor(service)([
      message('ingest.openmrs', { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'DELETE', url: 'Patient?identifier=urn:openmrs|D' } }] }),
      message('ingest.openmrs', retiring),
    ]);
    expect(out.deadLetters).toEqual([]);
    expect((await service.getSource('urn:openmrs|D'))?.active).toBe(false);
    expect((await service.getSource('urn:openmrs|R'))?.goldenId).toBe(a.golden.mpiId);
  });

  it('fails the page (to be retried, offsets kept) when the store cannot write', async () => {
    const { service } = makeService();
    const down: RegistryService = { ...service, registerMany: async () => { throw new MediatorError('unavailable', 'database unreachable'); } };
    await expect(handlerFor(down)([message('ingest.openmrs', person('Z1'))])).rejects.toThrow('database unreachable');
  });
});
