/**
 * OpenHIM's Kafka route (Core v8, `type: kafka`): Core publishes the whole request as a JSON
 * envelope `{ method, path, pattern, headers, body, response }` whose `body` is the request body as
 * a string (openhim.md §6.2; Instant OpenHIE's `2xx-async` topic). The ingest parses the envelope,
 * then its body.
 */
import { IngestRefusal } from './refusal';

/** What the ingest uses of an envelope. */
export interface OpenHimRequest {
  body: unknown;
  /** The OpenHIM client that sent the request (its source system), when Core passed it on. */
  clientId?: string;
  transactionId?: string;
  contentType?: string;
}

function header(headers: Record<string, unknown>, name: string): string | undefined {
  const hit = Object.entries(headers).find(([k]) => k.toLowerCase() === name);
  const v = hit?.[1];
  return typeof v === 'string' && v.length > 0 ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
}

/**
 * Parse an OpenHIM Kafka-route envelope and its body.
 * @param text - the message value
 */
export function parseOpenHimEnvelope(text: string): OpenHimRequest {
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    throw new IngestRefusal('unparseable', 'the OpenHIM envelope is not JSON');
  }
  const e = envelope as { body?: unknown; headers?: unknown } | null;
  if (!e || typeof e !== 'object' || typeof e.body !== 'string') throw new IngestRefusal('unparseable', 'not an OpenHIM Kafka-route envelope: no string body');
  const headers = e.headers && typeof e.headers === 'object' ? (e.headers as Record<string, unknown>) : {};
  let body: unknown;
  try {
    body = JSON.parse(e.body);
  } catch {
    throw new IngestRefusal('unparseable', 'the body of the OpenHIM envelope is not JSON');
  }
  const clientId = header(headers, 'x-openhim-clientid');
  const transactionId = header(headers, 'x-openhim-transactionid');
  const contentType = header(headers, 'content-type');
  return { body, ...(clientId ? { clientId } : {}), ...(transactionId ? { transactionId } : {}), ...(contentType ? { contentType } : {}) };
}
