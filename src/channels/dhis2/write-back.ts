/**
 * Writing MPI IDs back to DHIS2: a tracked entity whose MPI-ID attribute already holds its golden
 * record's MPI ID is left alone (the write-back moves `updatedAt`, so the next poll brings the entity
 * back unchanged, and nothing loops); the others are set in one tracker import per page (2.36+), or
 * one legacy update per entity. The attribute must be a tracked-entity-type attribute.
 */
import type { OrchestrationSink } from '../../core/orchestration';
import type { InboundRecord, WriteBackOutcome } from '../ports';
import { UpstreamError } from '../upstream-error';
import type { Dhis2Client, TrackedEntityUpdate } from './client';
import { trackedEntityHead } from './envelope';

/** What the write-back needs. */
export interface Dhis2WriteBackOptions {
  attribute: string;
  legacyApi: boolean;
  /** Type of entities whose payload does not say (pushed fragments). */
  trackedEntityType: string;
}

type Item = { record: InboundRecord; mpiId: string };

/** Entities per import call. */
const IMPORT_CHUNK = 500;

function currentValue(payload: unknown, attribute: string): unknown {
  const attrs = (payload as { attributes?: Array<{ attribute?: unknown; value?: unknown }> } | null)?.attributes;
  return Array.isArray(attrs) ? attrs.find((a) => a?.attribute === attribute)?.value : undefined;
}

function reasonOf(err: unknown): string {
  return err instanceof UpstreamError ? err.message : err instanceof Error ? err.message : String(err);
}

/**
 * Write the MPI IDs that DHIS2 does not hold yet.
 * @param client - DHIS2 calls
 * @param opts - the attribute and API
 * @param items - records and their MPI IDs
 * @param sink - orchestration sink
 */
export async function writeBackMpiIds(client: Dhis2Client, opts: Dhis2WriteBackOptions, items: Item[], sink: OrchestrationSink): Promise<WriteBackOutcome[]> {
  const out: WriteBackOutcome[] = [];
  const todo: Item[] = [];
  for (const item of items) {
    if (currentValue(item.record.payload, opts.attribute) === item.mpiId) out.push({ ...item, status: 'already' });
    else todo.push(item);
  }
  if (opts.legacyApi) {
    for (const item of todo) out.push(await replaceLegacy(client, opts.attribute, item, sink));
    return out;
  }
  for (let i = 0; i < todo.length; i += IMPORT_CHUNK) out.push(...(await importChunk(client, opts, todo.slice(i, i + IMPORT_CHUNK), sink)));
  return out;
}

async function importChunk(client: Dhis2Client, opts: Dhis2WriteBackOptions, chunk: Item[], sink: OrchestrationSink): Promise<WriteBackOutcome[]> {
  const updates: TrackedEntityUpdate[] = chunk.map(({ record, mpiId }) => {
    const h = trackedEntityHead(record.payload);
    return { trackedEntity: h.uid ?? '', trackedEntityType: h.trackedEntityType ?? opts.trackedEntityType, orgUnit: h.orgUnit ?? '', attributes: [{ attribute: opts.attribute, value: mpiId }] };
  });
  try {
    const report = await client.updateAttributes(updates, sink);
    const errors = new Map((report.validationReport?.errorReports ?? []).map((e) => [e.uid ?? '', `${e.errorCode ?? 'error'}: ${e.message ?? 'refused'}`]));
    const failedAll = report.status === 'ERROR' && errors.size === 0;
    return chunk.map((item, i): WriteBackOutcome => {
      const reason = errors.get(updates[i]?.trackedEntity ?? '') ?? (failedAll ? 'DHIS2 refused the import' : undefined);
      return reason ? { ...item, status: 'failed', reason } : { ...item, status: 'written' };
    });
  } catch (err) {
    return chunk.map((item) => ({ ...item, status: 'failed', reason: reasonOf(err) }));
  }
}

async function replaceLegacy(client: Dhis2Client, attribute: string, item: Item, sink: OrchestrationSink): Promise<WriteBackOutcome> {
  const payload = item.record.payload as { attributes?: Array<{ attribute?: unknown }> };
  const attributes = [...(payload.attributes ?? []).filter((a) => a?.attribute !== attribute), { attribute, value: item.mpiId }];
  try {
    await client.replaceInstance(trackedEntityHead(payload).uid ?? '', { ...payload, attributes }, sink);
    return { ...item, status: 'written' };
  } catch (err) {
    return { ...item, status: 'failed', reason: reasonOf(err) };
  }
}
