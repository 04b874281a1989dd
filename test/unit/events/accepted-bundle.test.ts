/**
 * The optional Instant OpenHIE `2xx` topic: Bundles accepted through `POST /fhir` go out as
 * received (a batch with its succeeded entries only), without a key, after their identity events;
 * nothing is published there when the switch is off.
 */
import type { Bundle } from 'fhir/r4';
import { toKafkaMessage } from '../../../src/events/cloudevents';
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import { expectValidEvent } from '../../helpers/event-schema';

jest.setTimeout(60000);

const patient = (value: string, birthDate = '1991-02-03'): object => ({ resourceType: 'Patient', identifier: [{ system: 'urn:lab:site-1', value }], name: [{ family: `Faye${value}`, given: ['Awa'] }], birthDate, gender: 'female' });
const post = (app: TestApp, bundle: object): ReturnType<TestApp['server']['inject']> => app.server.inject({ method: 'POST', url: '/fhir', headers: { 'content-type': 'application/fhir+json', 'x-openhim-transactionid': 'tx-9' }, payload: bundle });

describe('2xx topic', () => {
  let app: TestApp;
  afterEach(async () => {
    await app.stop();
  });

  it('publishes an accepted transaction as received, and a batch with its succeeded entries', async () => {
    app = await buildTestApp({ KAFKA_PUBLISH_2XX: 'true' });
    const transaction = { resourceType: 'Bundle', type: 'transaction', entry: [{ fullUrl: 'urn:uuid:6b1c2a83-9a0b-4a84-9f59-1d0f2f3a4b5c', resource: patient('T1'), request: { method: 'POST', url: 'Patient' } }] };
    expect((await post(app, transaction)).statusCode).toBe(200);
    const batch = { resourceType: 'Bundle', type: 'batch', entry: [
      { resource: patient('B1'), request: { method: 'POST', url: 'Patient' } },
      { resource: patient('B2', '1991-02-30'), request: { method: 'POST', url: 'Patient' } },
    ] };
    expect((await post(app, batch)).statusCode).toBe(200);
    await app.relay.flush();
    const bundles = app.published.filter((e) => e.topic === 'bundle2xx');
    expect(bundles.map((e) => e.payload)).toEqual([transaction, { ...batch, entry: [batch.entry[0]] }]);
    for (const e of bundles) {
      expect(toKafkaMessage(e, 'test').key).toBeNull();
      expect(e.transactionId).toBe('tx-9');
      expectValidEvent(e);
    }
    const first2xx = app.published.findIndex((e) => e.topic === 'bundle2xx');
    expect(app.published.slice(0, first2xx).some((e) => e.type === 'org.passerelle.patient.created')).toBe(true);
    expect((bundles[0]!.payload as Bundle).entry?.length).toBe(1);
  });

  it('publishes nothing on 2xx when the switch is off', async () => {
    app = await buildTestApp();
    await post(app, { resourceType: 'Bundle', type: 'batch', entry: [{ resource: patient('C1'), request: { method: 'POST', url: 'Patient' } }] });
    await app.relay.flush();
    expect(app.published.filter((e) => e.topic === 'bundle2xx')).toEqual([]);
    expect(app.published.length).toBeGreaterThan(0);
  });
});
