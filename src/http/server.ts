import Hapi from '@hapi/hapi';
import type { Server } from '@hapi/hapi';
import { MediatorError } from '../core/errors';
import type { Config } from '../config';

/**
 * The bare hapi server with Passerelle's defaults: payload limit (413 beyond it), validation errors
 * thrown (mapped to OperationOutcome / problem+json by the API plugins), no stack traces.
 * @param config - validated configuration
 */
export function createServer(config: Config): Server {
  return Hapi.server({
    port: config.env.PORT,
    host: config.env.HOST,
    router: { stripTrailingSlash: true },
    debug: false,
    routes: {
      payload: { maxBytes: config.env.BODY_LIMIT_BYTES, timeout: 30000 },
      validate: {
        failAction: (_req, _h, err) => {
          throw new MediatorError('invalid', err?.message ?? 'Invalid request');
        },
      },
      response: { emptyStatusCode: 204 },
    },
  });
}
