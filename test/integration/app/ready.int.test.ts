/**
 * Faults at the edges: Kafka down at start and during operation. The mediator keeps running,
 * /ready answers 503 naming Kafka, and it recovers on its own when the broker is back. A private
 * broker is used so that the shared stack is never disturbed.
 */
import { PrivateKafka, freePortPair } from '../../helpers/private-kafka';
import { buildStackApp, eventually } from '../../helpers/stack-app';
import type { StackApp } from '../../helpers/stack-app';

jest.setTimeout(180000);

async function readiness(s: StackApp): Promise<{ status: number; down: string[] }> {
  const res = await s.app.server.inject('/ready');
  return { status: res.statusCode, down: (res.result as { down: string[] }).down };
}

describe('/ready follows Kafka going away and coming back', () => {
  let kafka: PrivateKafka;
  let s: StackApp;
  beforeAll(async () => {
    kafka = new PrivateKafka(await freePortPair());
  });

  afterAll(async () => {
    await s?.close();
    await kafka?.destroy();
  });

  it('starts with the broker down, then becomes ready, then degrades and recovers', async () => {
    s = await buildStackApp({ KAFKA_BROKERS: kafka.brokers.join(',') });
    // MongoDB turns ready once its indexes exist; Kafka stays down.
    await eventually(async () => !(await readiness(s)).down.includes('mongodb'));
    expect(await readiness(s)).toEqual({ status: 503, down: ['kafka'] });
    expect((await s.app.server.inject('/health')).statusCode).toBe(200);

    await kafka.start();
    await eventually(async () => (await readiness(s)).status === 200, 60000);

    await kafka.kill();
    await eventually(async () => (await readiness(s)).status === 503, 30000);
    expect((await readiness(s)).down).toEqual(['kafka']);

    await kafka.start();
    await eventually(async () => (await readiness(s)).status === 200, 90000);
  });
});

describe('/ready follows MongoDB', () => {
  it('answers 503 naming mongodb when the database is unreachable, and the process keeps serving', async () => {
    const s = await buildStackApp({ MONGODB_URI: 'mongodb://127.0.0.1:1/' }, { awaitDatabase: false });
    try {
      const r = await readiness(s);
      expect(r.status).toBe(503);
      expect(r.down).toContain('mongodb');
      expect((await s.app.server.inject('/health')).statusCode).toBe(200);
      // The APIs refuse work they could not store, in their own error formats, with a retry hint.
      const fhir = await s.app.server.inject({ method: 'POST', url: '/fhir/Patient', payload: { resourceType: 'Patient' }, headers: { 'content-type': 'application/fhir+json' } });
      expect(fhir.statusCode).toBe(503);
      expect(fhir.headers['retry-after']).toBe('5');
      expect(JSON.parse(fhir.payload)).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient' }] });
      const mpi = await s.app.server.inject('/mpi/search?family=Ndiaye');
      expect(mpi.statusCode).toBe(503);
      expect(mpi.headers['content-type']).toContain('application/problem+json');
    } finally {
      await s.app.stop();
    }
  });
});
