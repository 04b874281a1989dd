/**
 * Delivery through faults, on a private broker (the shared stack is never disturbed):
 * 1. The broker is killed while 1,000 registrations happen: every one succeeds, their events wait
 *    in the outbox, /ready says degraded; once the broker is back every event is delivered, in
 *    commit order per key.
 * 2. A mediator process is killed with SIGKILL while its relay drains a backlog, then another is
 *    started: nothing is lost; duplicates come only from the batches in flight (the one being
 *    published and the one being marked).
 * 3. The FHIR store consumer example, applied to the topic after all of it, ends with exactly the
 *    MPI's identities.
 * The figures (lost, duplicated, out of order) are printed for the record.
 */
import type { Patient } from 'fhir/r4';
import { FhirStoreConsumer } from '../../../examples/fhir-store-consumer/src/consumer';
import { loadConsumerConfig } from '../../../examples/fhir-store-consumer/src/config';
import type { OutboxEvent } from '../../../src/core/types';
import { storeIdentities } from '../../helpers/consumer-store';
import { auditDelivery } from '../../helpers/delivery-audit';
import { FhirStoreServer } from '../../helpers/fhir-store-server';
import { identityDifferences, registryIdentities } from '../../helpers/identity-mirror';
import { consumeAll } from '../../helpers/kafka';
import { spawnMediator } from '../../helpers/mediator-process';
import { PrivateKafka, freePortPair } from '../../helpers/private-kafka';
import { buildStackApp, eventually } from '../../helpers/stack-app';
import type { StackApp } from '../../helpers/stack-app';

jest.setTimeout(900000);
const FAMILIES = ['Diop', 'Ndiaye', 'Sow', 'Fall', 'Ba', 'Sy', 'Gueye', 'Faye', 'Cisse', 'Kane'];
const GIVEN = ['Awa', 'Fatou', 'Moussa', 'Ibrahima', 'Aminata', 'Cheikh', 'Mariama', 'Ousmane'];

function person(n: number, version = 0): Patient {
  return {
    resourceType: 'Patient', identifier: [{ system: 'urn:openmrs:rel', value: `R${n}` }],
    name: [{ family: FAMILIES[n % 10], given: [GIVEN[Math.floor(n / 10) % 8] as string] }],
    birthDate: `19${50 + (n % 50)}-${String(1 + (n % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`,
    gender: n % 2 ? 'male' : 'female', ...(version > 0 ? { telecom: [{ system: 'phone', value: `+2217700${String(n * 10 + version).padStart(5, '0')}` }] } : {}),
  };
}

/** Register (or update: `version`) people `from..to-1` through the FHIR API, 8 at a time; all must succeed. */
async function register(s: StackApp, from: number, to: number, version = 0): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const n = next++;
      const res = await s.app.server.inject({ method: 'PUT', url: `/fhir/Patient?identifier=${encodeURIComponent(`urn:openmrs:rel|R${n}`)}`, payload: person(n, version), headers: { 'content-type': 'application/fhir+json' } });
      if (res.statusCode !== 200 && res.statusCode !== 201) throw new Error(`registration ${n} answered ${res.statusCode}: ${res.payload.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function committed(s: StackApp, topic: OutboxEvent['topic']): Promise<OutboxEvent[]> {
  const out: OutboxEvent[] = [];
  let after: number | null = null;
  do {
    const page: Awaited<ReturnType<StackApp['app']['registry']['store']['outbox']['retained']>> = await s.app.registry.store.outbox.retained({ since: '1970-01-01T00:00:00.000Z' }, { after, limit: 500 });
    out.push(...page.events.filter((e) => e.topic === topic));
    after = page.next;
  } while (after !== null);
  return out;
}

const lag = async (s: StackApp): Promise<number> => (await s.app.registry.store.outbox.lag()).count;

describe('event delivery through broker outages and mediator crashes', () => {
  let kafka: PrivateKafka;
  let s: StackApp;
  const store = new FhirStoreServer();

  beforeAll(async () => {
    kafka = new PrivateKafka(await freePortPair());
    await kafka.start(240000);
    s = await buildStackApp({ KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_TOPIC_PARTITIONS: '3' });
    await eventually(async () => ((await s.app.server.inject('/ready')).result as { status: string }).status === 'ready', 60000);
  });
  afterAll(async () => {
    await s?.close();
    await kafka?.destroy();
    await store.stop().catch(() => undefined);
  });

  it('1. 1,000 registrations while the broker is down: all succeed, events wait, then all are delivered in order per key', async () => {
    await register(s, 0, 20);
    await eventually(async () => (await lag(s)) === 0, 60000);
    await kafka.kill();
    await register(s, 20, 820);
    await register(s, 20, 220, 1);
    const ready = await s.app.server.inject('/ready');
    expect(ready.statusCode).toBe(200);
    expect(ready.result).toMatchObject({ status: 'degraded', down: ['kafka'] });
    const waiting = await lag(s);
    expect(waiting).toBeGreaterThanOrEqual(1000);
    await kafka.start(240000);
    await eventually(async () => (await lag(s)) === 0, 180000);
    const audit = auditDelivery(await committed(s, 'patient'), await consumeAll(s.topics.patient, kafka.brokers));
    process.stdout.write(`RELIABILITY outage: ${JSON.stringify({ waitingDuringOutage: waiting, ...audit, duplicatedIds: audit.duplicatedIds.length })}\n`);
    expect(audit).toMatchObject({ lost: 0, outOfOrderKeys: 0 });
  });

  it('2. a mediator killed with SIGKILL mid-relay, then another: nothing lost, duplicates only from the batches in flight', async () => {
    await s.app.relay.stop();
    await kafka.kill();
    await register(s, 1000, 2000);
    await kafka.start(240000);
    const backlog = await lag(s);
    const a = await spawnMediator(s, kafka.brokers, 'mediator-a');
    await eventually(async () => (await lag(s)) <= backlog - 200, 120000).catch((err: unknown) => {
      throw new Error(`${String(err)}; backlog ${backlog}; mediator logs:\n${a.logs.join('').slice(-4000)}`);
    });
    await a.stop('SIGKILL');
    const leftByA = await lag(s);
    // Its claims hold for EVENT_CLAIM_LEASE_MS (30 s by default) before the next process takes them over.
    const b = await spawnMediator(s, kafka.brokers, 'mediator-b');
    try {
      await eventually(async () => (await lag(s)) === 0, 180000).catch((err: unknown) => {
        throw new Error(`${String(err)}; lag ${leftByA}; mediator logs:\n${b.logs.join('').slice(-4000)}`);
      });
    } finally {
      await b.stop('SIGTERM');
    }
    const audit = auditDelivery(await committed(s, 'patient'), await consumeAll(s.topics.patient, kafka.brokers));
    process.stdout.write(`RELIABILITY sigkill: ${JSON.stringify({ backlog, leftWhenKilled: leftByA, ...audit, duplicatedIds: audit.duplicatedIds.length })}\n`);
    expect(audit.lost).toBe(0);
    expect(audit.outOfOrderKeys).toBe(0);
    // What was in flight when the process died: the batch being published and the one being marked
    // (their bookkeeping overlaps the next publish), at most two batches of 200.
    expect(audit.duplicates).toBeLessThanOrEqual(400);
  });

  it('3. the FHIR store consumer applied after all of it holds exactly the MPI identities', async () => {
    const base = await store.start();
    const consumer = new FhirStoreConsumer(loadConsumerConfig({ KAFKA_BROKERS: kafka.brokers.join(','), KAFKA_TOPIC: s.topics.patient, KAFKA_GROUP_ID: `${s.topics.patient}.store`, FHIR_BASE_URL: base }), () => undefined);
    await consumer.start();
    try {
      const mpi = await registryIdentities(s.app.registry.store);
      await eventually(async () => identityDifferences(mpi, storeIdentities(store)).length === 0, 300000);
      process.stdout.write(`RELIABILITY consumer: ${JSON.stringify({ identities: mpi.size, ...consumer.stats })}\n`);
      expect(consumer.stats.refused).toBe(0);
    } finally {
      await consumer.stop();
    }
  });
});
