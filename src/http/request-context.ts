/**
 * Per-request context: a request id, the OpenHIM transaction id, the actor (filled by auth) and an
 * orchestration log for the OpenHIM envelope; plus one access-log line per request. Access logs
 * carry the route template (`/fhir/Patient/{id}`), never the concrete path or query, so no
 * identifier or name can leak into them.
 */
import { randomUUID } from 'node:crypto';
import type { Plugin, Request } from '@hapi/hapi';
import type { Logger } from '../core/logger';
import type { Actor } from '../core/types';
import type { Orchestration } from '../core/orchestration';
import type { Counter, Histogram } from 'prom-client';

/** What the mediator keeps per request in `request.app`. */
export interface RequestContext {
  requestId: string;
  transactionId?: string;
  actor?: Actor;
  scopes?: string[];
  orchestrations: Orchestration[];
  startedAt: number;
}

declare module '@hapi/hapi' {
  interface RequestApplicationState {
    caller: RequestContext;
  }
}

export interface RequestContextOptions {
  logger: Logger;
  requests: Counter<'method' | 'route' | 'status'>;
  durations: Histogram<'method' | 'route'>;
}

/**
 * The actor of a request: the authenticated client, or `anonymous` on public routes.
 * @param request - the hapi request
 */
export function actorOf(request: Request): Actor {
  const caller = request.app.caller;
  return caller.actor ?? { clientId: 'anonymous', address: request.info.remoteAddress, transactionId: caller.transactionId };
}

export const requestContextPlugin: Plugin<RequestContextOptions> = {
  name: 'passerelle-request-context',
  register(server, opts) {
    server.ext('onRequest', (request, h) => {
      const tx = request.headers['x-openhim-transactionid'];
      request.app.caller = {
        requestId: randomUUID(),
        transactionId: typeof tx === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(tx) ? tx : undefined,
        orchestrations: [],
        startedAt: performance.now(),
      };
      return h.continue;
    });
    server.events.on('response', (request) => {
      const caller = request.app.caller;
      const status = request.response && 'statusCode' in request.response ? request.response.statusCode : 500;
      const route = request.route.path;
      const ms = performance.now() - caller.startedAt;
      opts.requests.inc({ method: request.method, route, status: String(status) });
      opts.durations.observe({ method: request.method, route }, ms / 1000);
      opts.logger.info(
        { reqId: caller.requestId, transactionId: caller.transactionId, method: request.method, route, status, ms: Math.round(ms * 10) / 10, client: caller.actor?.clientId },
        'request',
      );
    });
  },
};
