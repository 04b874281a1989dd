/**
 * Contract tests: every kind of answer the APIs give, asked through OpenHIM (with its transaction
 * id), comes back as a valid envelope with the right status; asked directly, it comes back plain.
 * A DHIS2 sync runs the real channel against the fake DHIS2; the other routes with upstream calls
 * are test-only, added to this test's server, never to the production route table.
 */
import type { Request, ResponseToolkit } from '@hapi/hapi';
import type { Orchestration } from '../../../src/core/orchestration';
import { MediatorError } from '../../../src/core/errors';
import type { EventPublisher } from '../../../src/events/ports';
import { buildTestApp } from '../../helpers/app';
import type { TestApp } from '../../helpers/app';
import { expectEnvelope } from '../../helpers/openhim-envelope';
import { FakeDhis2, trackedEntityOf } from '../../helpers/fakes/dhis2';
import { person } from '../../helpers/fakes/people';
import { dhis2Env } from '../../helpers/sync';

const TX = { 'x-openhim-transactionid': '6652c7a1f1e2d3c4b5a69788' };
const at = (): string => new Date().toISOString();
const dhis2Call = (status: number): Orchestration => ({
  name: 'DHIS2 trackedEntities page 1',
  request: { method: 'GET', url: 'http://127.0.0.1:8081/api/tracker/trackedEntities?page=1', timestamp: at(), headers: { authorization: 'ApiToken secret' } },
  response: { status, timestamp: at(), body: status ? '{"trackedEntities":[]}' : 'connect ECONNREFUSED' },
});

/** A test-only route that reports upstream calls the way channels do (onto the request's log). */
function syncRunHandler(calls: number[]) {
  return (request: Request, h: ResponseToolkit) => {
    for (const status of calls) request.app.caller.orchestrations.push(dhis2Call(status));
    return h.response({ channel: request.params.channel, fetched: 0, method: request.method }).code(200);
  };
}

const patient = { resourceType: 'Patient', identifier: [{ system: 'http://openmrs.example.org/patient', value: 'W-77' }], name: [{ family: 'Ndiaye', given: ['Fatou'] }], birthDate: '1990-01-02', gender: 'female' };

describe('OpenHIM envelope contract', () => {
  let app: TestApp;
  const dhis2 = new FakeDhis2('2.42');
  beforeAll(async () => {
    await dhis2.start();
    dhis2.put(trackedEntityOf(person(1)), trackedEntityOf(person(2)));
    app = await buildTestApp(dhis2Env(dhis2, { DHIS2_MPI_ID_ATTRIBUTE: '' }));
    app.server.route({ method: 'POST', path: '/test/partial', options: { plugins: { passerelle: { public: true } } }, handler: syncRunHandler([200, 503, 0]) });
    app.server.route({ method: 'GET', path: '/test/upstream-down', options: { plugins: { passerelle: { public: true } } }, handler: () => {
      throw new MediatorError('upstream-unavailable', 'DHIS2 did not answer');
    } });
    app.server.route({ method: 'GET', path: '/test/bug', options: { plugins: { passerelle: { public: true } } }, handler: () => {
      throw new Error('a bug with internals');
    } });
  });
  afterAll(async () => {
    await app.stop();
    await dhis2.close();
  });

  it('answers a direct caller plainly', async () => {
    const res = await app.server.inject('/fhir/metadata');
    expect(res.headers['content-type']).toContain('application/fhir+json');
    expect(JSON.parse(res.payload).resourceType).toBe('CapabilityStatement');
  });

  it('wraps a FHIR read: Successful, the body a string, the headers kept', async () => {
    const res = await app.server.inject({ url: '/fhir/metadata', headers: TX });
    const env = expectEnvelope(res);
    expect(env.status).toBe('Successful');
    expect(env.response.headers['content-type']).toContain('application/fhir+json');
    expect(JSON.parse(env.response.body).resourceType).toBe('CapabilityStatement');
    expect(env.properties).toMatchObject({ operation: 'GET /fhir/metadata' });
    expect(env.properties['passerelle-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('wraps a FHIR create with its Location, ETag and the golden record it touched', async () => {
    const res = await app.server.inject({ method: 'POST', url: '/fhir/Patient', headers: { ...TX, 'content-type': 'application/fhir+json' }, payload: patient });
    const env = expectEnvelope(res);
    expect(env.response.status).toBe(201);
    expect(env.status).toBe('Successful');
    expect(env.response.headers.location).toMatch(/Patient\//);
    expect(env.response.headers.etag).toBeDefined();
    expect(JSON.parse(env.response.body).resourceType).toBe('Patient');
    // The transaction id reaches the identity event's headers (contracts §3) and the access log.
    expect(app.published.at(-1)?.transactionId).toBe(TX['x-openhim-transactionid']);
    // The answer waited for the event to reach Kafka: its publish is one of the orchestrations.
    const [publish] = env.orchestrations;
    expect(env.orchestrations).toHaveLength(1);
    expect(publish).toMatchObject({ name: 'Kafka publish passerelle.patient.identity', request: { method: 'PRODUCE', path: '/passerelle.patient.identity' }, response: { status: 200 } });
    expect(JSON.parse(publish!.request.body)).toEqual({ messages: 1, types: { 'org.passerelle.patient.created': 1 }, ceIds: [app.published.at(-1)?.id] });
    expect(Date.parse(publish!.response!.timestamp)).toBeGreaterThanOrEqual(Date.parse(publish!.request.timestamp));
    const access = app.logLines.map((l) => JSON.parse(l) as { msg: string; route?: string; transactionId?: string }).filter((l) => l.msg === 'request' && l.route === '/fhir/Patient');
    expect(access.at(-1)?.transactionId).toBe(TX['x-openhim-transactionid']);
  });

  it('wraps a FHIR not-found as Completed with an OperationOutcome body and no error', async () => {
    const env = expectEnvelope(await app.server.inject({ url: '/fhir/Patient/does-not-exist', headers: TX }));
    expect(env.response.status).toBe(404);
    expect(env.status).toBe('Completed');
    expect(JSON.parse(env.response.body).resourceType).toBe('OperationOutcome');
    expect(env.error).toBeUndefined();
  });

  it('wraps an invalid FHIR write as Completed (a retry would fail the same way)', async () => {
    const env = expectEnvelope(await app.server.inject({ method: 'POST', url: '/fhir/Patient', headers: { ...TX, 'content-type': 'application/fhir+json' }, payload: { resourceType: 'Patient', gender: 42 } }));
    expect(env.response.status).toBe(400);
    expect(env.status).toBe('Completed');
    expect(env.error).toBeUndefined();
  });

  it('wraps MPI REST answers, problem+json included, with the MPI IDs and source ids as properties', async () => {
    const body = { first_name: 'Moussa', last_name: 'Sow', date_of_birth: '1985-04-03', gender: 'M', external_ids: { 'http://openmrs.example.org/patient': 'W-9' } };
    const created = expectEnvelope(await app.server.inject({ method: 'POST', url: '/mpi/register', headers: TX, payload: body }));
    expect(created.status).toBe('Successful');
    const mpiId = (JSON.parse(created.response.body) as { mpi_id: string }).mpi_id;
    expect(created.properties['mpi-id']).toBe(mpiId);
    expect(created.properties['source-id']).toBeDefined();
    expect(created.properties.operation).toBe('mpi.register');
    const duplicate = expectEnvelope(await app.server.inject({ method: 'POST', url: '/mpi/register', headers: TX, payload: body }));
    expect(duplicate.response.status).toBe(409);
    expect(duplicate.response.headers['content-type']).toContain('application/problem+json');
    expect(duplicate.status).toBe('Completed');
    const invalid = expectEnvelope(await app.server.inject({ method: 'POST', url: '/mpi/register', headers: TX, payload: { first_name: 1 } }));
    expect([invalid.response.status, invalid.status]).toEqual([400, 'Completed']);
  });

  it('wraps an unknown path', async () => {
    const env = expectEnvelope(await app.server.inject({ url: '/nowhere', headers: TX }));
    expect([env.response.status, env.status]).toEqual([404, 'Completed']);
  });

  it('reports one orchestration per upstream call of a sync run, credentials removed', async () => {
    const env = expectEnvelope(await app.server.inject({ method: 'POST', url: '/sync/dhis2/run', headers: TX }));
    expect(env.status).toBe('Successful');
    expect(env.orchestrations.map((o) => o.name)).toEqual(['DHIS2 system info', 'DHIS2 trackedEntities page 1', 'Kafka publish passerelle.patient.identity']);
    expect(env.orchestrations[1]).toMatchObject({ request: { host: '127.0.0.1', port: new URL(dhis2.url).port, path: '/api/tracker/trackedEntities', method: 'GET' }, response: { status: 200 } });
    expect(env.orchestrations[1]?.request.querystring).toContain('order=updatedAt%3Aasc');
    expect(JSON.stringify(env)).not.toMatch(/district|Basic /);
  });

  it('says Completed with error(s) when the request was served but an upstream call failed', async () => {
    const env = expectEnvelope(await app.server.inject({ method: 'POST', url: '/test/partial', headers: TX }));
    expect(env.status).toBe('Completed with error(s)');
    expect(env.orchestrations.map((o) => o.response?.status ?? o.error?.message)).toEqual([200, 503, 'connect ECONNREFUSED']);
    expect(env.error).toBeUndefined();
  });

  it('says Failed with an error (so OpenHIM may retry) when an upstream system is unavailable', async () => {
    const env = expectEnvelope(await app.server.inject({ url: '/test/upstream-down', headers: TX }));
    expect([env.response.status, env.status, env.error]).toEqual([502, 'Failed', { message: 'DHIS2 did not answer' }]);
  });

  it('says Failed without an error for a bug, and leaks no internals', async () => {
    const env = expectEnvelope(await app.server.inject({ url: '/test/bug', headers: TX }));
    expect([env.response.status, env.status, env.error]).toEqual([500, 'Failed', undefined]);
    expect(env.response.body).not.toContain('internals');
  });

  it('routes a poll of an OpenHIM polling channel (GET) to the sync run (POST)', async () => {
    const res = await app.server.inject({ method: 'GET', url: '/sync/dhis2/run', headers: { ...TX, 'channel-id': '6652c7a1f1e2d3c4b5a60000', 'x-openhim-lastrunat': new Date().toISOString() } });
    const env = expectEnvelope(res);
    expect(JSON.parse(env.response.body)).toMatchObject({ status: 'succeeded', caught_up: true });
    // Without Core's polling headers, a GET stays a GET.
    expect((await app.server.inject({ method: 'GET', url: '/sync/dhis2/run' })).statusCode).toBe(404);
  });

  it('answers HEAD plainly (no body to carry an envelope)', async () => {
    const res = await app.server.inject({ method: 'HEAD', url: '/fhir/metadata', headers: TX });
    expect(res.headers['content-type']).not.toContain('json+openhim');
  });
});

describe('OpenHIM envelope while Kafka does not take events', () => {
  const neverUp: EventPublisher = {
    connect: async () => {
      throw new Error('broker unreachable');
    },
    disconnect: async () => undefined,
    publish: async () => {
      throw new Error('broker unreachable');
    },
    ping: async () => false,
  };
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp({}, { publisher: neverUp });
  });
  afterAll(async () => {
    await app.stop();
  });

  it('says Completed with error(s) for a write whose events wait in the outbox, Successful for a read', async () => {
    const started = Date.now();
    const write = expectEnvelope(await app.server.inject({ method: 'POST', url: '/fhir/Patient', headers: { ...TX, 'content-type': 'application/fhir+json' }, payload: patient }));
    expect([write.response.status, write.status]).toEqual([201, 'Completed with error(s)']);
    // Kafka is known to be down: the answer does not wait for a publish that cannot happen.
    expect(write.orchestrations).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1500);
    const read = expectEnvelope(await app.server.inject({ url: '/fhir/metadata', headers: TX }));
    expect(read.status).toBe('Successful');
  });
});

describe('OpenHIM envelope while Kafka is slow', () => {
  let release: () => void = () => undefined;
  const slow: EventPublisher = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    publish: () => new Promise<void>((resolve) => (release = resolve)),
    ping: async () => true,
  };
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp({ OPENHIM_EVENTS_WAIT_MS: '300' }, { publisher: slow });
  });
  afterAll(async () => {
    release();
    await app.stop();
  });

  it('answers after OPENHIM_EVENTS_WAIT_MS, saying the events still wait (Completed with error(s))', async () => {
    const write = expectEnvelope(await app.server.inject({ method: 'POST', url: '/fhir/Patient', headers: { ...TX, 'content-type': 'application/fhir+json' }, payload: patient }));
    expect([write.response.status, write.status]).toEqual([201, 'Completed with error(s)']);
    expect(write.orchestrations).toEqual([]);
  });
});

describe('OpenHIM envelope of refused requests', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp({ AUTH_MODE: 'jwt', RATE_LIMIT_PER_MINUTE: '1' });
  });
  afterAll(async () => {
    await app.stop();
  });

  it('wraps 401 with its WWW-Authenticate, then 429 as Failed with an error and Retry-After', async () => {
    const first = expectEnvelope(await app.server.inject({ url: '/fhir/Patient/x', headers: TX }));
    expect([first.response.status, first.status]).toEqual([401, 'Completed']);
    expect(first.response.headers['www-authenticate']).toContain('Bearer');
    const limited = expectEnvelope(await app.server.inject({ url: '/fhir/Patient/x', headers: TX }));
    expect([limited.response.status, limited.status]).toEqual([429, 'Failed']);
    expect(limited.error).toBeDefined();
    expect(limited.response.headers['retry-after']).toBeDefined();
  });
});
