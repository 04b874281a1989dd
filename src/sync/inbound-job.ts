/**
 * The work of an inbound channel, one page at a time: pull the page (outside the concurrency limit,
 * so a slow source holds nothing), take it in (inside it), then write MPI IDs back where the channel
 * does. A write-back that fails becomes a dead letter (stage `write-back`) and never holds the cursor:
 * the records are stored, and the write-back can be re-driven.
 */
import type { InboundChannel, InboundRecord } from '../channels/ports';
import type { OrchestrationSink } from '../core/orchestration';
import { ingestPage, failureOf, touchedBy } from './ingest';
import type { IngestDeps, RecordOutcome } from './ingest';
import type { ChannelJob } from './runner';

/**
 * The job of an inbound channel.
 * @param channel - the channel
 * @param deps - what ingestion uses
 */
export function inboundJob(channel: InboundChannel, deps: IngestDeps): ChannelJob {
  return {
    channel: channel.name,
    scopes: () => channel.scopes(),
    async step(scope, position, run) {
      const page = await channel.pull(scope, position, { sink: run.sink, wantTotal: run.wantTotal });
      const outcome = await run.gate(() => ingestPage(deps, page.records, run.actor));
      outcome.counts.writtenBack = await writeBack(deps, channel, outcome.outcomes, run.sink);
      return { position: page.position, more: page.more, total: page.total, counts: outcome.counts, touched: touchedBy(outcome.outcomes) };
    },
  };
}

/**
 * Write back the MPI IDs of a page's records; failures become dead letters.
 * @param deps - dead letters and clock
 * @param channel - the channel
 * @param outcomes - the page's outcomes
 * @param sink - orchestration sink
 * @returns how many were written
 */
export async function writeBack(deps: IngestDeps, channel: InboundChannel, outcomes: RecordOutcome[], sink: OrchestrationSink): Promise<number> {
  if (!channel.writeBack) return 0;
  const items = outcomes.flatMap((o) => (o.mpiId && o.status !== 'failed' ? [{ record: o.record, mpiId: o.mpiId }] : []));
  if (items.length === 0) return 0;
  let written = 0;
  for (const result of await channel.writeBack(items, sink)) {
    if (result.status === 'written') written++;
    if (result.status !== 'failed') continue;
    await deps.deadLetters.record({ ...failureOf(result.record, 'write-back', result.reason), payload: writeBackPayload(result.record, result.mpiId) }, deps.now().toISOString());
  }
  return written;
}

/** What a write-back dead letter keeps: the record (to write to) and the MPI ID it was to get. */
export interface WriteBackPayload {
  mpiId: string;
  record: InboundRecord;
}

function writeBackPayload(record: InboundRecord, mpiId: string): WriteBackPayload {
  return { mpiId, record };
}
