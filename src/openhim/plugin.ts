/**
 * The OpenHIM plugin: a request that came through OpenHIM (it carries `X-OpenHIM-TransactionID`) is
 * answered with the transaction envelope, built from the response the API produced (after its own
 * error mapper) plus the request's orchestrations and properties; direct callers get the plain
 * response. It also lets OpenHIM's polling channels start sync runs: Core polls with GET, and a GET
 * of `/sync/{channel}/run` carrying Core's polling headers is routed as the POST it stands for.
 */
import type { Plugin, Request, ResponseObject, ResponseToolkit } from '@hapi/hapi';
import type { Logger } from '../core/logger';
import type { Orchestration } from '../core/orchestration';
import { normaliseError } from '../core/outcome';
import { buildEnvelope, OPENHIM_CONTENT_TYPE } from './envelope';
import type { EnvelopeResponse, FailureCause } from './envelope';

export interface OpenhimPluginOptions {
  urn: string;
  logger: Logger;
  /** Searchable transaction properties of a request (MPI IDs and source IDs it touched). */
  propertiesOf?: (request: Request) => Record<string, string>;
  /** Whether identity events wait in the outbox because Kafka does not take them now. */
  eventsDelayed?: () => boolean;
  /** The Kafka publishes of a transaction's events (src/events/publish-watch.ts). */
  publishes?: PublishTracker;
}

/** Collects the Kafka publishes of a transaction's identity events as orchestrations. */
export interface PublishTracker {
  watch(transactionId: string): Orchestration[];
  /** Wait (bounded, when `wait`) for the relay, stop watching; `pending`: events may still wait. */
  settle(transactionId: string, list: Orchestration[], wait: boolean): Promise<{ orchestrations: Orchestration[]; pending: boolean }>;
  forget(transactionId: string, list: Orchestration[]): void;
}

declare module '@hapi/hapi' {
  interface PluginsStates {
    'passerelle-openhim'?: { failure?: FailureCause; published?: Orchestration[] };
  }
}

/** The plugins whose onPreResponse turns errors into API responses; the envelope wraps their result. */
const ERROR_MAPPERS = ['passerelle-error-mapper', 'passerelle-fhir', 'passerelle-mpi-api'];
const SYNC_RUN = /^\/sync\/[^/]+\/run$/;
/** Headers of the answer that Core must not copy to its client (openhim.md §5.1). */
const TRANSPORT_HEADERS = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive']);

function viaOpenhim(request: Request): boolean {
  return request.app.caller?.transactionId !== undefined && request.method !== 'head';
}

/** Core's polling channels send GET with `channel-id` and `X-OpenHIM-LastRunAt` (openhim.md §5.4). */
function isCorePoll(request: Request): boolean {
  return request.method === 'get' && SYNC_RUN.test(request.path) && (request.headers['x-openhim-lastrunat'] !== undefined || request.headers['channel-id'] !== undefined);
}

async function bodyText(response: ResponseObject, request: Request): Promise<string> {
  const source: unknown = response.source;
  if (source === null || source === undefined) return '';
  if (typeof source === 'string') return source;
  if (Buffer.isBuffer(source)) return source.toString('utf8');
  if (typeof (source as NodeJS.ReadableStream).pipe === 'function') {
    const chunks: Buffer[] = [];
    for await (const chunk of source as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }
  const json = request.route.settings.json ?? {};
  return JSON.stringify(source, json.replacer as (string | number)[] | undefined, json.space);
}

function headersOf(response: ResponseObject, request: Request): Record<string, string> {
  const out: Record<string, string> = {};
  // Headers set on the raw response (rate limits, WWW-Authenticate, Retry-After) survive any renderer.
  const all = { ...request.raw.res.getHeaders(), ...response.headers };
  for (const [k, v] of Object.entries(all)) {
    if (v === undefined || TRANSPORT_HEADERS.has(k.toLowerCase())) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  // hapi's computed type (e.g. application/json; charset=utf-8 for an object), missing from its typings.
  const type = (response as ResponseObject & { contentType: string | null }).contentType;
  if (type) out['content-type'] = type;
  return out;
}

function isWrite(request: Request): boolean {
  return !['get', 'head', 'options'].includes(request.method);
}

/** Upstream calls and Kafka publishes interleave during a long run: Core lists them as they happened. */
function inTimeOrder(orchestrations: Orchestration[]): Orchestration[] {
  return orchestrations.map((o, i) => ({ o, i })).sort((a, b) => a.o.request.timestamp.localeCompare(b.o.request.timestamp) || a.i - b.i).map(({ o }) => o);
}

async function settlePublishes(request: Request, opts: OpenhimPluginOptions, wait: boolean): Promise<{ orchestrations: Orchestration[]; pending: boolean }> {
  const list = request.plugins['passerelle-openhim']?.published;
  const tx = request.app.caller.transactionId;
  if (!list || !opts.publishes || tx === undefined) return { orchestrations: [], pending: false };
  return opts.publishes.settle(tx, list, wait);
}

async function wrap(request: Request, h: ResponseToolkit, opts: OpenhimPluginOptions): Promise<ResponseObject | symbol> {
  const response = request.response;
  if (!viaOpenhim(request) || !response || response instanceof Error) return h.continue;
  const inner: EnvelopeResponse = {
    status: response.statusCode,
    headers: headersOf(response, request),
    body: await bodyText(response, request),
    timestamp: new Date().toISOString(),
  };
  const served = isWrite(request) && inner.status < 300;
  const kafkaDown = served && (opts.eventsDelayed?.() ?? false);
  const published = await settlePublishes(request, opts, served && !kafkaDown);
  const envelope = buildEnvelope({
    urn: opts.urn,
    response: inner,
    orchestrations: inTimeOrder([...request.app.caller.orchestrations, ...published.orchestrations]),
    properties: opts.propertiesOf?.(request) ?? {},
    failure: request.plugins['passerelle-openhim']?.failure,
    eventsDelayed: kafkaDown || published.pending,
  });
  // 204 and 304 answers carry no body, and the envelope is one: Core takes the status from inside it.
  const outer = inner.status === 204 || inner.status === 304 ? 200 : inner.status;
  return h.response(JSON.stringify(envelope)).code(outer).type(OPENHIM_CONTENT_TYPE);
}

export const openhimPlugin: Plugin<OpenhimPluginOptions> = {
  name: 'passerelle-openhim',
  register(server, opts) {
    server.ext('onRequest', (request, h) => {
      if (isCorePoll(request)) request.setMethod('POST');
      return h.continue;
    });
    // A write through OpenHIM: its identity events' Kafka publishes become orchestrations as the relay
    // sends them (a long sync run publishes while it runs).
    server.ext('onPreHandler', (request, h) => {
      const tx = request.app.caller?.transactionId;
      if (opts.publishes && tx !== undefined && viaOpenhim(request) && isWrite(request)) {
        request.plugins['passerelle-openhim'] = { ...request.plugins['passerelle-openhim'], published: opts.publishes.watch(tx) };
      }
      return h.continue;
    });
    server.events.on('response', (request) => {
      const list = request.plugins['passerelle-openhim']?.published;
      const tx = request.app.caller?.transactionId;
      if (list && tx !== undefined) opts.publishes?.forget(tx, list);
    });
    // Keep the error behind a failure before the API's mapper turns it into a response: whether a
    // retry helps is a property of the error (core/errors.ts), not of the status code.
    server.ext('onPreResponse', (request, h) => {
      if (viaOpenhim(request) && request.response instanceof Error) {
        const err = normaliseError(request.response);
        request.plugins['passerelle-openhim'] = { ...request.plugins['passerelle-openhim'], failure: { message: err.message, retryable: err.info.retryable } };
      }
      return h.continue;
    }, { before: ERROR_MAPPERS });
    server.ext('onPreResponse', (request, h) => wrap(request, h, opts).catch((err: unknown) => {
      opts.logger.error({ err, route: request.route.path }, 'OpenHIM envelope could not be built; answering plainly');
      return h.continue;
    }), { after: ERROR_MAPPERS });
  },
};
