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

  it('names the dependency that is down', async () => {
    await app.publisher.disconnect();
    const res = await app.server.inject('/ready');
    expect(res.statusCode).toBe(503);
    expect(res.result).toMatchObject({ status: 'unavailable', down: ['kafka'] });
    await app.publisher.connect();
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
