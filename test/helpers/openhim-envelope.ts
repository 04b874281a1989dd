/**
 * The contract every response to OpenHIM must meet (openhim.md §5.1): the media type Core looks for,
 * the URN, one of Core's statuses, a response whose body is a string with its headers and an ISO
 * timestamp, orchestrations each with a name and a request timestamp, string properties, and `error`
 * only on a Failed transaction. Core fails the whole transaction update on a missing orchestration
 * name or timestamp, and stores an object body as "[object Object]".
 */
import { TRANSACTION_STATUSES } from '../../src/openhim/envelope';
import type { OpenhimEnvelope } from '../../src/openhim/envelope';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/**
 * Check an HTTP answer against the envelope contract; returns the parsed envelope.
 * @param res - an inject response (or anything with headers and a payload string)
 */
export function expectEnvelope(res: { statusCode: number; headers: Record<string, unknown>; payload: string }): OpenhimEnvelope {
  expect(String(res.headers['content-type'])).toContain('application/json+openhim');
  const env = JSON.parse(res.payload) as OpenhimEnvelope;
  expect(env['x-mediator-urn']).toBe('urn:mediator:passerelle-mpi');
  expect(TRANSACTION_STATUSES).toContain(env.status);
  expect(typeof env.response.status).toBe('number');
  expect(typeof env.response.body).toBe('string');
  expect(env.response.timestamp).toMatch(ISO);
  expect(typeof env.response.headers).toBe('object');
  for (const h of ['content-length', 'transfer-encoding', 'content-encoding']) expect(env.response.headers[h]).toBeUndefined();
  expect(Array.isArray(env.orchestrations)).toBe(true);
  for (const o of env.orchestrations) {
    expect(o.name.length).toBeGreaterThan(0);
    expect(o.request.timestamp).toMatch(ISO);
    expect(typeof o.request.port).toBe('string');
    if (o.response) {
      expect(typeof o.response.body).toBe('string');
      expect(o.response.timestamp).toMatch(ISO);
    }
  }
  for (const v of Object.values(env.properties)) expect(typeof v).toBe('string');
  if (env.error) {
    expect(env.status).toBe('Failed');
    expect(typeof env.error.message).toBe('string');
  }
  // Core answers its client with the inner status; the outer one matches it when the status may carry a body.
  if (![204, 304].includes(env.response.status)) expect(res.statusCode).toBe(env.response.status);
  return env;
}
