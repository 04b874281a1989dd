/**
 * The audit plugin: one audit record per completed request on every audited route (all routes that
 * need a token, plus public ones that name an audit operation), written by the {@link AuditWriter}
 * off the request path; and the `GET /fhir/AuditEvent` search for `mpi/admin`.
 */
import { randomUUID } from 'node:crypto';
import type { Plugin, Request } from '@hapi/hapi';
import type { Logger } from '../core/logger';
import { auditNoteOf } from './context';
import { registerAuditEventRoute } from './fhir';
import type { AuditRecord, AuditStore } from './ports';
import { AuditWriter } from './writer';

/** Options of {@link auditPlugin}. */
export interface AuditOptions {
  store: AuditStore;
  logger: Logger;
  /** Base URL for Bundle links. */
  baseUrl: string;
  /** A writer to use (app.ts keeps it to flush at shutdown); one is created otherwise. */
  writer?: AuditWriter;
}

const ACTIONS: Record<string, AuditRecord['action']> = { get: 'R', head: 'R', post: 'C', put: 'U', patch: 'U', delete: 'D' };
const EXECUTE = /(match|search|resolve|verify|merge|unmerge|token|run|retry|\$)/i;

function operationOf(request: Request): string | null {
  const security = request.route.settings.plugins?.passerelle;
  if ((request.route.method as string) === '_special' || security?.audit === false) return null;
  const note = auditNoteOf(request);
  if (note.operation) return note.operation;
  if (typeof security?.audit === 'string') return security.audit;
  if (security?.public === true) return null;
  return `${request.method.toUpperCase()} ${request.route.path}`;
}

/**
 * The audit record for a completed request, or null when the route is not audited.
 * @param request - the completed request
 * @param now - completion time
 */
export function auditRecordOf(request: Request, now: Date): AuditRecord | null {
  const operation = operationOf(request);
  if (!operation) return null;
  const status = request.response && 'statusCode' in request.response ? request.response.statusCode : 500;
  const note = auditNoteOf(request);
  const actor = request.app.caller?.actor;
  const method = ACTIONS[request.method] ?? 'E';
  return {
    id: randomUUID(),
    recorded: now.toISOString(),
    operation,
    action: method === 'C' && EXECUTE.test(operation) ? 'E' : method === 'R' && /search|resolve|match/.test(operation) ? 'E' : method,
    outcome: status < 400 ? '0' : status < 500 ? '4' : '8',
    httpStatus: status,
    method: request.method.toUpperCase(),
    route: request.route.path,
    agent: {
      clientId: actor?.clientId ?? 'anonymous',
      ...(actor?.userId ? { userId: actor.userId } : {}),
      address: request.info.remoteAddress,
      ...(request.app.caller?.transactionId ? { transactionId: request.app.caller.transactionId } : {}),
    },
    mpiIds: note.mpiIds,
    sourceIds: note.sourceIds,
    ...(note.detail ? { detail: note.detail } : {}),
  };
}

export const auditPlugin: Plugin<AuditOptions> = {
  name: 'passerelle-audit',
  register(server, opts) {
    const writer = opts.writer ?? new AuditWriter({ store: opts.store, logger: opts.logger });
    server.events.on('response', (request) => {
      try {
        const record = auditRecordOf(request, new Date());
        if (record) writer.record(record);
      } catch (err) {
        opts.logger.error({ err, route: request.route.path }, 'audit record could not be built');
      }
    });
    server.ext('onPostStop', async () => {
      if (!(await writer.flush())) opts.logger.error({ pending: writer.stats().pending }, 'audit records still unwritten at shutdown');
      writer.close();
    });
    server.expose('writer', writer);
    registerAuditEventRoute(server, opts.store, opts.baseUrl);
  },
};
