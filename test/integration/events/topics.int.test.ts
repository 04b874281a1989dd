/**
 * Topics at start-up on the real broker: created with the configured partitions where Passerelle
 * may create them; in production (KAFKA_CREATE_TOPICS=false) a missing topic is a clear /ready
 * reason and one error log line — registrations still succeed, their events wait, and they go out
 * once an operator creates the topic.
 */
import { Kafka, logLevel } from 'kafkajs';
import type { Patient } from 'fhir/r4';
import { consume, testBrokers } from '../../helpers/kafka';
import { buildStackApp, eventually } from '../../helpers/stack-app';
import type { StackApp } from '../../helpers/stack-app';

jest.setTimeout(120000);

const admin = new Kafka({ clientId: 'passerelle-test', brokers: testBrokers(), logLevel: logLevel.NOTHING }).admin();
const patient = (id: string): Patient => ({ resourceType: 'Patient', identifier: [{ system: 'urn:test:topics', value: id }], name: [{ family: 'Faye', given: ['Awa'] }], birthDate: '1991-02-03' });

async function readiness(s: StackApp): Promise<{ code: number; body: { status: string; reasons?: Record<string, string> } }> {
  const res = await s.app.server.inject('/ready');
  return { code: res.statusCode, body: res.result as { status: string; reasons?: Record<string, string> } };
}

beforeAll(async () => {
  await admin.connect();
});
afterAll(async () => {
  await admin.disconnect();
});

describe('topics at start-up', () => {
  it('creates every missing topic with the configured partitions', async () => {
    const s = await buildStackApp({ KAFKA_TOPIC_PARTITIONS: '5', KAFKA_PUBLISH_2XX: 'true' });
    try {
      await eventually(async () => (await readiness(s)).body.status === 'ready');
      const meta = await admin.fetchTopicMetadata({ topics: [s.topics.patient, s.topics.review, s.topics.practitioner, s.topics.dlq, s.topics.bundle2xx] });
      expect(meta.topics.map((t) => t.partitions.length)).toEqual([5, 5, 5, 5, 5]);
    } finally {
      await s.close();
    }
  });

  it('in production only checks: /ready names the missing topic, events wait, and go out once it exists', async () => {
    const s = await buildStackApp({ KAFKA_CREATE_TOPICS: 'false' });
    try {
      await eventually(async () => (await readiness(s)).body.reasons?.kafka?.includes('missing') === true);
      const r = await readiness(s);
      expect(r.code).toBe(200);
      expect(r.body.status).toBe('degraded');
      expect(r.body.reasons?.kafka).toContain(s.topics.patient);
      expect(s.logLines.some((l) => l.includes('"level":"error"') && l.includes(s.topics.patient) && l.includes('not exist: create'))).toBe(true);

      const reg = await s.app.registry.service.registerSource({ patient: patient('T-1'), sourceSystem: 'test', actor: { clientId: 'it' } });
      expect(reg.outcome).toBe('created');
      await eventually(async () => s.app.relay.health().missingTopics.includes(s.topics.patient));
      expect((await s.app.registry.outbox.lag?.())?.count).toBe(1);

      await admin.createTopics({ waitForLeaders: true, topics: Object.values(s.topics).map((topic) => ({ topic, numPartitions: 1 })) });
      const [msg] = await consume(s.topics.patient, 1, 60000);
      expect(msg!.key).toBe(reg.golden.mpiId);
      await eventually(async () => (await readiness(s)).body.status === 'ready', 60000);
    } finally {
      await s.close();
    }
  });
});
