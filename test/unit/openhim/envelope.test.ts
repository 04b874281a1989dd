import type { Orchestration } from '../../../src/core/orchestration';
import { buildEnvelope, CORE_BODY_LIMIT, toOpenhimOrchestration, transactionStatus } from '../../../src/openhim/envelope';
import type { EnvelopeResponse } from '../../../src/openhim/envelope';

const at = '2026-05-12T09:30:02.101Z';
const response = (status: number): EnvelopeResponse => ({ status, headers: { 'content-type': 'application/fhir+json' }, body: '{}', timestamp: at });
const call = (status: number, extra: Partial<Orchestration['request']> = {}): Orchestration => ({
  name: 'DHIS2 trackedEntities page 1',
  request: { method: 'get', url: 'https://dhis2.moh.example.org:8443/api/tracker/trackedEntities?page=1&pageSize=50', timestamp: at, ...extra },
  response: { status, timestamp: at, body: '{"trackedEntities":[]}' },
});

describe('transaction status (Core\'s meanings, openhim.md §5.3)', () => {
  it.each([
    ['served', 200, [], undefined, false, 'Successful'],
    ['created', 201, [call(200)], undefined, false, 'Successful'],
    ['served, one upstream call failed', 200, [call(200), call(502)], undefined, false, 'Completed with error(s)'],
    ['served, an upstream call got no answer', 200, [call(0)], undefined, false, 'Completed with error(s)'],
    ['served, events wait for Kafka', 201, [], undefined, true, 'Completed with error(s)'],
    ['client error', 400, [], { message: 'invalid', retryable: false }, false, 'Completed'],
    ['not found', 404, [call(404)], undefined, false, 'Completed'],
    ['upstream unavailable', 502, [call(0)], { message: 'DHIS2 unreachable', retryable: true }, false, 'Failed'],
    ['upstream rejected', 502, [call(401)], { message: 'DHIS2 refused', retryable: false }, false, 'Failed'],
    ['starting up', 503, [], { message: 'starting', retryable: true }, false, 'Failed'],
    ['rate limited', 429, [], { message: 'slow down', retryable: true }, false, 'Failed'],
    ['internal bug', 500, [], { message: 'An unexpected error occurred', retryable: false }, false, 'Failed'],
  ] as const)('%s → %s', (_what, status, orchestrations, failure, eventsDelayed, expected) => {
    expect(transactionStatus({ response: response(status), orchestrations, failure, eventsDelayed })).toBe(expected);
  });
});

describe('buildEnvelope', () => {
  it('sets error only when a retry can help, since Core auto-retries exactly those transactions', () => {
    const retry = buildEnvelope({ urn: 'urn:x', response: response(503), orchestrations: [], failure: { message: 'database not ready', retryable: true } });
    expect(retry.error).toEqual({ message: 'database not ready' });
    const bug = buildEnvelope({ urn: 'urn:x', response: response(500), orchestrations: [], failure: { message: 'An unexpected error occurred', retryable: false } });
    expect(bug.status).toBe('Failed');
    expect(bug.error).toBeUndefined();
    const rejected = buildEnvelope({ urn: 'urn:x', response: response(422), orchestrations: [], failure: { message: 'cannot map', retryable: false } });
    expect(rejected.error).toBeUndefined();
    // A 503 from a path that raised no error (e.g. a proxy) is still worth a retry.
    expect(buildEnvelope({ urn: 'urn:x', response: response(503), orchestrations: [] }).error).toEqual({ message: 'HTTP 503' });
  });

  it('carries the URN, the response as given and the properties', () => {
    const env = buildEnvelope({ urn: 'urn:mediator:passerelle-mpi', response: response(200), orchestrations: [], properties: { 'mpi-id': 'SN-DKR-26-9XQ7LM2A' } });
    expect(env).toEqual({ 'x-mediator-urn': 'urn:mediator:passerelle-mpi', status: 'Successful', response: response(200), orchestrations: [], properties: { 'mpi-id': 'SN-DKR-26-9XQ7LM2A' } });
  });
});

describe('orchestrations in Core\'s shape', () => {
  it('splits the URL into host, port (a string), path and query string', () => {
    const o = toOpenhimOrchestration(call(200));
    expect(o.request).toMatchObject({ host: 'dhis2.moh.example.org', port: '8443', path: '/api/tracker/trackedEntities', querystring: 'page=1&pageSize=50', method: 'GET', timestamp: at });
    expect(o.response).toEqual({ status: 200, headers: {}, body: '{"trackedEntities":[]}', timestamp: at });
    expect(toOpenhimOrchestration({ ...call(200), request: { method: 'POST', url: 'http://ncr/fhir/Patient', timestamp: at } }).request.port).toBe('80');
  });

  it('replaces credentials in headers and query strings, keeping their names', () => {
    const o = toOpenhimOrchestration({
      ...call(200, { headers: { Authorization: 'ApiToken d2pat_abc', 'X-Api-Key': 'k', accept: 'application/json' } }),
      request: { method: 'GET', url: 'https://user:pw@emr.example.org/openmrs/ws/fhir2/R4/Patient?_count=50&access_token=t0k', timestamp: at, headers: { Authorization: 'Basic dXNlcjpwdw==' } },
    });
    expect(o.request.headers).toEqual({ Authorization: '[redacted]' });
    expect(o.request.querystring).toBe('_count=50&access_token=%5Bredacted%5D');
    expect(JSON.stringify(o)).not.toMatch(/pw@|dXNlcjpwdw|t0k/);
  });

  it('records a call that got no answer as an error, not as a response', () => {
    const o = toOpenhimOrchestration({ ...call(0), response: { status: 0, timestamp: at, body: 'connect ECONNREFUSED 10.0.0.4:443' } });
    expect(o.response).toBeUndefined();
    expect(o.error).toEqual({ message: 'connect ECONNREFUSED 10.0.0.4:443' });
  });

  it('cuts bodies to what Core keeps', () => {
    const big = 'x'.repeat(CORE_BODY_LIMIT * 3);
    const o = toOpenhimOrchestration({ ...call(200), response: { status: 200, timestamp: at, body: big } });
    expect(o.response!.body.length).toBeLessThan(big.length);
    expect(o.response!.body.startsWith('x'.repeat(CORE_BODY_LIMIT))).toBe(true);
  });

  it('names a call even when the reporter gave a blank name (Core refuses the whole update otherwise)', () => {
    expect(toOpenhimOrchestration({ ...call(200), name: '  ' }).name).toBe('upstream call');
  });
});
