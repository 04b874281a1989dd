/**
 * Reading a pushed payload: JSON for the channels (`application/json` or `application/fhir+json`),
 * CSV for bulk loads (`text/csv`, one record per row). A body of another content type, or one that
 * does not parse, is refused with a clear error and kept as a dead letter (stage `receive`) so that
 * nothing pushed is lost without a trace.
 */
import type { InboundRecord } from '../channels/ports';
import { csvRecords } from '../core/csv';
import { MediatorError } from '../core/errors';
import { deadLetterKey } from './dead-letters';
import type { DeadLetterStore } from './ports';

/** A push as received. */
export interface RawPush {
  contentType?: string;
  bytes: Buffer;
}

const JSON_TYPES = new Set(['application/json', 'application/fhir+json']);
const CSV_TYPES = new Set(['text/csv', 'application/csv']);

/**
 * The parsed body of a push, or a MediatorError (after its dead letter is stored).
 * @param deadLetters - where a refused body is kept
 * @param source - channel or `csv`
 * @param resource - the path's resource segment
 * @param raw - content type and bytes
 * @param at - now
 */
export async function decodePush(deadLetters: DeadLetterStore, source: string, resource: string, raw: RawPush, at: string): Promise<unknown> {
  const mime = (raw.contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = raw.bytes.toString('utf8');
  const csv = source === 'csv';
  const refuse = async (code: 'unsupported-media-type' | 'invalid', reason: string): Promise<never> => {
    const d = await deadLetters.record({ channel: source, stage: 'receive', resourceType: resource, key: deadLetterKey(undefined, text), payload: { contentType: raw.contentType ?? null, body: text }, reason }, at);
    throw new MediatorError(code, reason, { failureId: d.id });
  };
  if (!(csv ? CSV_TYPES : JSON_TYPES).has(mime)) {
    return refuse('unsupported-media-type', `a ${source} push must be ${csv ? 'text/csv' : 'application/json or application/fhir+json'}, not ${mime || 'without a content type'}`);
  }
  if (text.trim() === '') return refuse('invalid', 'the push has an empty body');
  if (csv) return csvRecords(text);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    return refuse('invalid', `the push is not valid JSON: ${(err as Error).message.slice(0, 200)}`);
  }
}

/**
 * The records of a CSV bulk load (one per row, mapped by `csv-row`).
 * @param resource - must be `rows`
 * @param rows - the parsed rows
 */
export function csvRowRecords(resource: string, rows: unknown): InboundRecord[] {
  if (resource !== 'rows') throw new MediatorError('not-found', 'CSV bulk loads go to /channels/csv/rows');
  return (rows as Array<Record<string, string>>).map((row) => ({
    channel: 'csv', resourceType: 'row', deleted: false, mapping: 'csv-row', payload: row,
    ...(row.record_id?.trim() ? { resourceId: row.record_id.trim() } : {}),
  }));
}
