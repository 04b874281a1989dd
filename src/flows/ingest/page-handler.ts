/**
 * The Kafka ingest flow: each inbound message is decoded (a source's native payload through its
 * mapping, or FHIR as is; an OpenHIM envelope first unwrapped), validated and registered through the
 * same registry path as the HTTP API — a page at a time through `registerMany`. What cannot be
 * ingested (not JSON, no mapping, an invalid record, a refusal by the registry) becomes a dead
 * letter with its reason; a failure to write (the store is down) throws, so the page is retried and
 * its offsets stay uncommitted.
 */
import type { Patient, PatientLink } from 'fhir/r4';
import { isMediatorError } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { Actor } from '../../core/types';
import type { DeadLetter, InboundMessage, PageHandler, PageOutcome } from '../../events/ports';
import type { GoldenRecord, RegisterSourceInput, RegistryService } from '../../registry/api';
import { parseOpenHimEnvelope } from './envelope';
import { fhirOperations, recordKeyOf } from './fhir-records';
import type { IngestOp } from './fhir-records';
import { mappingFor } from './mapping';
import type { IngestMapping } from './mapping';
import { IngestRefusal } from './refusal';

/** Where an inbound topic's messages come from. */
export type TopicOrigin = { kind: 'source'; source: string } | { kind: 'openhim' };

/** ITI-104 merges by `replaced-by` link, as the FHIR API performs them (supplied by app.ts). */
export interface ReplacedByMerge {
  linkOf(patient: Patient): PatientLink | undefined;
  withoutLink(patient: Patient): Patient;
  merge(registry: RegistryService, goldenId: string | null, link: PatientLink, actor: Actor): Promise<GoldenRecord>;
}

/** Counts per source and outcome (metrics). */
export interface IngestObserver {
  registered(source: string, n: number): void;
  rejected(source: string, code: string): void;
}

export interface IngestDeps {
  registry: RegistryService;
  /** The FHIR API's Patient validator. */
  validatePatient: (body: unknown) => Patient;
  mappings: ReadonlyMap<string, IngestMapping>;
  originOf(topic: string): TopicOrigin | null;
  replacedBy?: ReplacedByMerge;
  observer?: IngestObserver;
  logger: Logger;
}

/** One decoded message: its operations, or why it is refused as a whole. */
interface Decoded {
  message: InboundMessage;
  source: string;
  actor: Actor;
  ops: IngestOp[];
}

async function decode(deps: IngestDeps, message: InboundMessage): Promise<Decoded> {
  const origin = deps.originOf(message.topic);
  if (!origin) throw new IngestRefusal('no-mapping', `no ingest is configured for topic ${message.topic}`);
  const text = message.value?.toString('utf8') ?? '';
  let payload: unknown;
  let source = origin.kind === 'source' ? origin.source : 'openhim';
  let transactionId = message.headers['x-openhim-transactionid'];
  if (origin.kind === 'openhim') {
    const req = parseOpenHimEnvelope(text);
    payload = req.body;
    source = req.clientId ?? source;
    transactionId = req.transactionId ?? transactionId;
  } else {
    try {
      payload = JSON.parse(text);
    } catch {
      throw new IngestRefusal('unparseable', 'the message value is not JSON');
    }
  }
  const mapping = mappingFor(deps.mappings, source, payload);
  if (!mapping) throw new IngestRefusal('no-mapping', `no mapping for source ${source} and the payload is not FHIR`);
  let fhir: unknown;
  try {
    fhir = await mapping.toFhir(payload, { source });
  } catch (err) {
    throw new IngestRefusal('transform-failed', `mapping of source ${source} failed: ${err instanceof Error ? err.message : 'unknown error'}`);
  }
  const actor: Actor = { clientId: `kafka:${source}`, ...(transactionId ? { transactionId } : {}) };
  return { message, source, actor, ops: fhirOperations(fhir, deps.validatePatient) };
}

function letter(d: { message: InboundMessage; source?: string }, code: string, reason: string, record?: { value: unknown; key?: string }): DeadLetter {
  return {
    message: d.message, code, reason, ...(d.source ? { source: d.source } : {}),
    ...(record ? { value: JSON.stringify(record.value), contentType: 'application/fhir+json', ...(record.key ? { key: record.key } : {}) } : {}),
  };
}

/** Refusals of the registry are dead letters; anything else (the store is down) fails the page. */
function refusalOf(err: unknown): { code: string; message: string } {
  if (isMediatorError(err) && err.code !== 'internal' && err.code !== 'unavailable') return { code: err.code, message: err.message };
  throw err;
}

type Pending = { d: Decoded; op: Extract<IngestOp, { op: 'register' }>; link?: PatientLink };

class PageRun {
  readonly letters: DeadLetter[] = [];
  private batch: Pending[] = [];

  constructor(private readonly deps: IngestDeps) {}

  async run(decoded: Decoded[]): Promise<void> {
    for (const d of decoded) {
      for (const op of d.ops) await this.apply(d, op);
    }
    await this.flush();
  }

  private async apply(d: Decoded, op: IngestOp): Promise<void> {
    if (op.op === 'refuse') {
      this.reject(d, op.code, op.reason, { value: op.value, key: op.key });
      return;
    }
    if (op.op === 'register') {
      const link = this.deps.replacedBy?.linkOf(op.patient);
      this.batch.push({ d, op: link ? { ...op, patient: (this.deps.replacedBy as ReplacedByMerge).withoutLink(op.patient) } : op, ...(link ? { link } : {}) });
      return;
    }
    await this.flush();
    await this.deactivate(d, op);
  }

  /** Register the records gathered so far, in order, in one call; then their merges. */
  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    const inputs: RegisterSourceInput[] = batch.map((b) => ({ patient: b.op.patient, sourceSystem: b.d.source, actor: b.d.actor }));
    const results = await this.deps.registry.registerMany(inputs);
    const bySource = new Map<string, number>();
    for (const [i, r] of results.entries()) {
      const b = batch[i] as Pending;
      if (!r.ok) {
        this.reject(b.d, r.error.code, b.op.entry >= 0 ? `entry ${b.op.entry}: ${r.error.message}` : r.error.message, { value: b.op.patient, key: recordKeyOf(b.op.patient) });
        continue;
      }
      bySource.set(b.d.source, (bySource.get(b.d.source) ?? 0) + 1);
      if (b.link) await this.merge(b, r.result.source.goldenId);
    }
    for (const [source, n] of bySource) this.deps.observer?.registered(source, n);
  }

  private async merge(b: Pending, goldenId: string | null): Promise<void> {
    try {
      await (this.deps.replacedBy as ReplacedByMerge).merge(this.deps.registry, goldenId, b.link as PatientLink, b.d.actor);
    } catch (err) {
      const e = refusalOf(err);
      this.reject(b.d, e.code, `registered, but its replaced-by merge was refused: ${e.message}`, { value: b.op.patient, key: recordKeyOf(b.op.patient) });
    }
  }

  private async deactivate(d: Decoded, op: Extract<IngestOp, { op: 'deactivate' }>): Promise<void> {
    const t = op.target;
    const found = 'id' in t ? [await this.deps.registry.getSourceById(t.id)].filter((s) => s !== null) : await this.deps.registry.findSourcesByIdentifier(t.identifier);
    if (found.length !== 1) {
      this.reject(d, found.length === 0 ? 'not-found' : 'multiple-matches', `entry ${op.entry}: the Patient to deactivate ${found.length === 0 ? 'is not known' : 'matches several records'}`);
      return;
    }
    try {
      await this.deps.registry.deactivateSource((found[0] as { key: string }).key, d.actor);
    } catch (err) {
      const e = refusalOf(err);
      this.reject(d, e.code, `entry ${op.entry}: ${e.message}`);
    }
  }

  reject(d: { message: InboundMessage; source?: string }, code: string, reason: string, record?: { value: unknown; key?: string | undefined }): void {
    this.letters.push(letter(d, code, reason, record ? { value: record.value, ...(record.key ? { key: record.key } : {}) } : undefined));
    this.deps.observer?.rejected(d.source ?? 'unknown', code);
  }
}

/**
 * The page handler of the Kafka ingest.
 * @param deps - registry, validator, mappings, topic origins, merge helpers, observer, logger
 */
export function createIngestHandler(deps: IngestDeps): PageHandler {
  return async (page): Promise<PageOutcome> => {
    const run = new PageRun(deps);
    const decoded: Decoded[] = [];
    for (const message of page) {
      try {
        decoded.push(await decode(deps, message));
      } catch (err) {
        if (!(err instanceof IngestRefusal)) throw err;
        run.reject({ message, ...(deps.originOf(message.topic)?.kind === 'source' ? { source: (deps.originOf(message.topic) as { source: string }).source } : {}) }, err.code, err.message);
      }
    }
    await run.run(decoded);
    if (run.letters.length > 0) deps.logger.warn({ deadLetters: run.letters.length, codes: [...new Set(run.letters.map((l) => l.code))] }, 'ingest refused records; they went to the dead-letter topic');
    return { deadLetters: run.letters };
  };
}
