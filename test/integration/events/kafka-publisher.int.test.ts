import { randomUUID } from 'node:crypto';
import type { OutboxEvent } from '../../../src/core/types';
import { KafkaEventPublisher } from '../../../src/events/kafka';
import type { TopicTable } from '../../../src/events/ports';
import { consume, testBrokers } from '../../helpers/kafka';
import { memoryLogger } from '../../helpers/silent-logger';

const run = randomUUID().slice(0, 8);
const topics: TopicTable = {
  patient: `test.${run}.patient`, practitioner: `test.${run}.practitioner`, review: `test.${run}.review`,
  dlq: `test.${run}.dlq`, bundle2xx: `test.${run}.2xx`,
};

function event(n: number, key: string): OutboxEvent {
  return {
    id: randomUUID(), topic: 'patient', key, type: 'org.passerelle.patient.updated', subject: key,
    time: new Date().toISOString(), transactionId: `tx-${n}`,
    payload: { resourceType: 'Bundle', type: 'message', id: `m${n}` },
  };
}

describe('KafkaEventPublisher against the real broker', () => {
  const publisher = new KafkaEventPublisher({ brokers: testBrokers(), clientId: 'passerelle-test', instance: 'it', topics, logger: memoryLogger().logger, topicSpecs: Object.values(topics).map((name) => ({ name, partitions: 3 })), createTopics: true });

  beforeAll(async () => {
    await publisher.connect();
  });
  afterAll(async () => {
    await publisher.disconnect();
  });

  it('answers ping once connected', async () => {
    expect(await publisher.ping()).toBe(true);
  });

  it('publishes with CloudEvents headers, keyed by MPI ID, in order per key', async () => {
    const key = 'SN-DKR-26-9XQ7LM2A';
    const events = [event(1, key), event(2, key), event(3, key)];
    await publisher.publish(events.slice(0, 2));
    await publisher.publish(events.slice(2));
    const got = await consume(topics.patient, 3, 20000, { validate: false });
    expect(got.map((m) => m.headers.ce_id)).toEqual(events.map((e) => e.id));
    expect(new Set(got.map((m) => m.partition)).size).toBe(1);
    const first = got[0]!;
    expect(first.key).toBe(key);
    expect(first.headers).toMatchObject({
      ce_specversion: '1.0', ce_source: 'urn:passerelle:it', ce_type: 'org.passerelle.patient.updated',
      ce_subject: key, 'content-type': 'application/fhir+json', 'x-openhim-transactionid': 'tx-1',
    });
    expect(JSON.parse(first.value)).toEqual({ resourceType: 'Bundle', type: 'message', id: 'm1' });
  });

  it('refuses to publish before connect', async () => {
    const idle = new KafkaEventPublisher({ brokers: testBrokers(), clientId: 'x', instance: 'it', topics, logger: memoryLogger().logger });
    await expect(idle.publish([event(9, 'k')])).rejects.toThrow('not connected');
    expect(await idle.ping()).toBe(false);
  });
});
