/**
 * The default error mapper: any error on a route outside /mpi becomes a FHIR OperationOutcome with
 * the right status. The /mpi plugin maps its own errors to problem+json before this runs.
 */
import type { Plugin, Request, ResponseToolkit, ResponseObject } from '@hapi/hapi';
import type { Logger } from '../core/logger';
import { normaliseError, toOperationOutcome } from '../core/outcome';

/** Paths whose errors are rendered by another plugin's mapper. */
export interface ErrorMapperOptions {
  logger: Logger;
  skipPrefixes: string[];
}

export const errorMapperPlugin: Plugin<ErrorMapperOptions> = {
  name: 'passerelle-error-mapper',
  register(server, opts) {
    server.ext('onPreResponse', (request: Request, h: ResponseToolkit): ResponseObject | symbol => {
      const response = request.response;
      if (!(response instanceof Error)) return h.continue;
      if (opts.skipPrefixes.some((p) => request.path.startsWith(p))) return h.continue;
      const err = normaliseError(response);
      if (err.info.httpStatus >= 500) opts.logger.error({ err: response, path: request.route.path }, 'request failed');
      const r = h.response(toOperationOutcome(err)).code(err.info.httpStatus).type('application/fhir+json');
      const retryAfter = err.details.retryAfterSeconds;
      if (typeof retryAfter === 'number') r.header('Retry-After', String(retryAfter));
      return r;
    });
  },
};
