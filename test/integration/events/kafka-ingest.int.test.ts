/**
 * Inbound Kafka ingest on the real broker and store: the app consumes a source topic and OpenHIM's
 * envelope topic, registers what it can, sends each poison message to the dead-letter topic with
 * its reason (valid against the event schema) without stalling its partition, and commits offsets
 * only after the write. A handler that fails (the store down) keeps the page's offsets uncommitted
 * and the page is handed again.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { Patient } from 'fhir/r4';
import { KafkaIngestSource } from '../../../src/events/kafka';
import type { InboundMessage } from '../../../src/events/ports';
import { expectValidEvent } from '../../helpers/event-schema';
import { consume, testBrokers } from '../../helpers/kafka';
import { memoryLogger } from '../../helpers/silent-logger';
import { buildStackApp, eventually } from '../../helpers/stack-app';
import type { StackApp } from '../../helpers/stack-app';

jest.setTimeout(180000);

const kafka = new Kafka({ clientId: 'passerelle-test', brokers: testBrokers(), logLevel: logLevel.NOTHING });
const admin = kafka.admin();
const producer = kafka.producer();
const person = (value: string): Patient => ({ resourceType: 'Patient', identifier: [{ system: 'urn:openmrs:site-7', value }], name: [{ family: `Ndour${value}`, given: ['Ibou'] }], birthDate: '1984-06-01', gender: 'male' });

async function committedOffset(groupId: string, topic: string): Promise<string> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return t?.partitions[0]?.offset ?? '-1';
}

beforeAll(async () => {
  await admin.connect();
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
  await admin.disconnect();
});

describe('Kafka ingest into the registry', () => {
  let s: StackApp;
  const run = randomUUID().slice(0, 8);
  const sourceTopic = `it.${run}.ingest.openmrs`;
  const openhimTopic = `it.${run}.2xx-async`;
  const groupId = `it-${run}-ingest`;

  afterAll(async () => {
    await s?.close();
  });

  it('registers good payloads, dead-letters poison ones with their reason, and commits every offset', async () => {
    s = await buildStackApp({
      KAFKA_INGEST_ENABLED: 'true', KAFKA_INGEST_SOURCES: 'openmrs', KAFKA_INGEST_TOPIC_PREFIX: `it.${run}.ingest.`,
      KAFKA_INGEST_OPENHIM_TOPIC: openhimTopic, KAFKA_INGEST_GROUP_ID: groupId, KAFKA_TOPIC_PARTITIONS: '1',
    });
    await eventually(async () => (await admin.listTopics()).includes(sourceTopic));
    const envelope = { method: 'POST', path: '/fhir/Patient', headers: { 'x-openhim-clientid': 'hospital-a', 'x-openhim-transactionid': 'tx-7' }, body: JSON.stringify(person('E1')), response: {} };
    await producer.send({ topic: sourceTopic, messages: [
      { value: JSON.stringify(person('K1')) },
      { value: '{"resourceType": "Patient", "identifier": [' },
      { value: JSON.stringify({ ...person('K2'), birthDate: '1984-02-31' }) },
      { value: JSON.stringify({ resourceType: 'Bundle', type: 'batch', entry: [{ resource: person('K3') }, { resource: person('K4') }] }) },
    ] });
    await producer.send({ topic: openhimTopic, messages: [{ value: JSON.stringify(envelope) }, { value: 'not an envelope' }] });

    await eventually(async () => (await s.app.registry.service.getSource('urn:openmrs:site-7|K4')) !== null && (await s.app.registry.service.getSource('urn:openmrs:site-7|E1')) !== null, 60000);
    expect((await s.app.registry.service.getSource('urn:openmrs:site-7|K1'))?.sourceSystem).toBe('openmrs');
    expect((await s.app.registry.service.getSource('urn:openmrs:site-7|E1'))?.sourceSystem).toBe('hospital-a');
    expect(await s.app.registry.service.getSource('urn:openmrs:site-7|K2')).toBeNull();

    const letters = await consume(s.topics.dlq, 3, 60000);
    for (const l of letters) expectValidEvent(l);
    expect(letters.map((l) => [l.headers['x-passerelle-origin-topic'], l.headers['x-passerelle-error-code']]).sort()).toEqual([
      [openhimTopic, 'unparseable'], [sourceTopic, 'invalid'], [sourceTopic, 'unparseable'],
    ]);
    const invalid = letters.find((l) => l.headers['x-passerelle-error-code'] === 'invalid');
    expect(invalid?.key).toBe('urn:openmrs:site-7|K2');
    expect(invalid?.headers['x-passerelle-error']).toContain('birthDate');
    expect(letters.find((l) => l.headers['x-passerelle-origin-offset'] === '1' && l.headers['x-passerelle-origin-topic'] === sourceTopic)?.value).toBe('{"resourceType": "Patient", "identifier": [');

    await eventually(async () => (await committedOffset(groupId, sourceTopic)) === '4' && (await committedOffset(groupId, openhimTopic)) === '2', 30000);
  });
});

describe('KafkaIngestSource', () => {
  it('commits a page only after the handler succeeds, handing the same page again after a failure', async () => {
    const run = randomUUID().slice(0, 8);
    const topic = `it.${run}.ingest.retry`;
    const groupId = `it-${run}`;
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }, { topic: `it.${run}.dlq`, numPartitions: 1 }] });
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }] });
    const source = new KafkaIngestSource({ brokers: testBrokers(), clientId: 'it', groupId, topics: [topic], deadLetterTopic: `it.${run}.dlq`, instance: 'it', pageSize: 10, logger: memoryLogger().logger, maxBackoffMs: 300 });
    const seen: string[][] = [];
    let failures = 0;
    await source.start(async (page: InboundMessage[]) => {
      seen.push(page.map((m) => m.value?.toString() ?? ''));
      if (failures < 2) {
        failures += 1;
        expect(await committedOffset(groupId, topic)).toBe('-1');
        throw new Error('store unreachable');
      }
      return { deadLetters: [] };
    });
    try {
      await eventually(async () => (await committedOffset(groupId, topic)) === '2', 30000);
      expect(seen).toEqual([['a', 'b'], ['a', 'b'], ['a', 'b']]);
    } finally {
      await source.stop();
    }
  });
});
