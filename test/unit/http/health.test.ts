import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';

describe('health, readiness and metrics', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(async () => {
    await app.stop();
  });

  it('answers liveness with the version', async () => {
    const res = await app.server.inject('/health');
    expect(res.statusCode).toBe(200);
    expect(res.result).toEqual({ status: 'ok', version: expect.any(String) });
  });

  it('is ready when the store and the bus answer', async () => {
    const res = await app.server.inject('/ready');
    expect(res.statusCode).toBe(200);
    expect(res.result).toMatchObject({ status: 'ready', checks: { mongodb: 'up', kafka: 'up' }, down: [] });
  });

  it('stays up but degraded, naming Kafka and the backlog, while the broker is away', async () => {
    await app.publisher.disconnect();
    await app.server.inject({ method: 'POST', url: '/fhir/Patient', payload: { resourceType: 'Patient', identifier: [{ system: 'urn:test', value: 'H1' }], name: [{ family: 'Diop' }] }, headers: { 'content-type': 'application/fhir+json' } });
    const res = await app.server.inject('/ready');
    expect(res.statusCode).toBe(200);
    expect(res.result).toMatchObject({ status: 'degraded', checks: { mongodb: 'up', kafka: 'down' }, down: ['kafka'] });
    expect((res.result as { reasons: Record<string, string> }).reasons.kafka).toMatch(/^Kafka unreachable; \d+ events? waits? in the outbox \(oldest \d+ s\)$/);
    await app.publisher.connect();
    await app.relay.flush();
  });

  it('answers 503 when the store is down', async () => {
    const ping = app.registry.ping;
    app.registry.ping = async () => false;
    try {
      const res = await app.server.inject('/ready');
      expect(res.statusCode).toBe(503);
      expect(res.result).toMatchObject({ status: 'unavailable', down: ['mongodb'] });
    } finally {
      app.registry.ping = ping;
    }
  });

  it('exposes the outbox backlog and the relay counters', async () => {
    const res = await app.server.inject('/metrics');
    expect(res.payload).toMatch(/passerelle_outbox_pending_events \d+/);
    expect(res.payload).toMatch(/passerelle_outbox_oldest_pending_age_seconds \d+/);
    expect(res.payload).toMatch(/passerelle_events_published_total\{topic="passerelle.patient.identity"\} [1-9]/);
    expect(res.payload).toContain('passerelle_event_publish_failures_total');
  });

  it('exposes Prometheus metrics labelled by route template only', async () => {
    await app.server.inject('/health');
    const res = await app.server.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.payload).toContain('passerelle_http_requests_total{method="get",route="/health",status="200"}');
  });

  it('renders unknown routes outside the APIs as plain JSON, without internals', async () => {
    const res = await app.server.inject('/nowhere?x=<script>');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/json');
    expect(JSON.parse(res.payload)).toEqual({ statusCode: 404, code: 'not-found', error: 'Not found', message: 'Not Found' });
  });
});
