/**
 * schemas/identity-event.schema.json is not vacuous: it accepts what the registry emits and refuses
 * each way an event could break the contract (contracts.md §3).
 */
import type { OutboxEvent } from '../../../src/core/types';
import { toKafkaMessage } from '../../../src/events/cloudevents';
import { eventErrors } from '../../helpers/event-schema';
import type { EventRecord } from '../../helpers/event-schema';
import { aPatient } from '../../helpers/patients';
import { actor, makeService } from '../registry/helpers';

let created: OutboxEvent;

beforeAll(async () => {
  const { service, store } = makeService();
  await service.registerSource({ patient: aPatient({ identifier: [{ system: 'urn:a', value: '1' }] }), sourceSystem: 'a', actor: { ...actor, transactionId: 'tx-1' } });
  created = (await store.outbox.pending(10))[0] as OutboxEvent;
});

function record(edit: (r: EventRecord & { body: Record<string, unknown> }) => void): EventRecord {
  const m = toKafkaMessage(created, 'moh-1');
  const r = { ...m, headers: { ...m.headers }, body: JSON.parse(m.value) as Record<string, unknown> };
  edit(r);
  return { key: r.key, headers: r.headers, value: JSON.stringify(r.body) };
}

describe('identity event schema', () => {
  it('accepts a created event with the OpenHIM transaction header', () => {
    expect(eventErrors(record(() => undefined))).toBeNull();
  });

  test.each<[string, (r: EventRecord & { body: Record<string, unknown> }) => void]>([
    ['a missing ce_id', (r) => delete r.headers.ce_id],
    ['a ce_id that is not a UUID', (r) => (r.headers.ce_id = 'abc')],
    ['another CloudEvents version', (r) => (r.headers.ce_specversion = '0.3')],
    ['an unknown ce_type', (r) => (r.headers.ce_type = 'org.passerelle.patient.exploded')],
    ['a plain JSON content type', (r) => (r.headers['content-type'] = 'application/json')],
    ['an unexpected header', (r) => (r.headers['x-extra'] = '1')],
    ['a key that is not an MPI ID', (r) => (r.key = 'not an id')],
    ['a value that is not a message Bundle', (r) => (r.body.type = 'collection')],
    ['a MessageHeader without the PMIR event', (r) => (((r.body.entry as Array<{ resource: Record<string, unknown> }>)[0] as { resource: Record<string, unknown> }).resource.eventUri = 'urn:other')],
    ['a history Patient without a version', (r) => {
      const history = (r.body.entry as Array<{ resource: { entry: Array<{ resource: { meta?: unknown } }> } }>)[1]!.resource;
      delete history.entry[0]!.resource.meta;
    }],
    ['a value that is not valid FHIR', (r) => {
      const history = (r.body.entry as Array<{ resource: { entry: Array<{ resource: Record<string, unknown> }> } }>)[1]!.resource;
      history.entry[0]!.resource.gender = 'sometimes';
    }],
  ])('refuses %s', (_what, edit) => {
    expect(eventErrors(record(edit))).not.toBeNull();
  });
});
