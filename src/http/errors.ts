/**
 * The one error path. Every error response of every route passes through one `onPreResponse`
 * extension: it normalises what was thrown (MediatorError, Boom, anything else → a client-safe
 * MediatorError), logs server errors once, and hands the error to the renderer of the API surface the
 * path belongs to — OperationOutcome for `/fhir` (src/fhir/outcomes.ts), problem+json for `/mpi`
 * (src/mpi-api/problem.ts) — or renders plain JSON for every other path (health, token endpoint, docs,
 * unknown paths). Each API plugin adds its surface when it registers, so the surface table is exactly
 * the APIs that are mounted.
 */
import type { Plugin, Request, ResponseObject, ResponseToolkit, Server } from '@hapi/hapi';
import type { MediatorError } from '../core/errors';
import type { Logger } from '../core/logger';
import { normaliseError } from '../core/outcome';

/** Renders a normalised error in one API surface's wire format (Retry-After is added by the caller). */
export type ErrorRenderer = (err: MediatorError, request: Request, h: ResponseToolkit) => ResponseObject;

/** An API surface: the paths it owns and how their errors look on the wire. */
export interface ErrorSurface {
  /** Path prefix, e.g. `/fhir`: owns the prefix itself and every path under `prefix/`. */
  prefix: string;
  render: ErrorRenderer;
}

/** Options of {@link errorMapperPlugin}. */
export interface ErrorMapperOptions {
  logger: Logger;
}

const PLUGIN_NAME = 'passerelle-error-mapper';

declare module '@hapi/hapi' {
  interface PluginProperties {
    [PLUGIN_NAME]: { addSurface(surface: ErrorSurface): void };
  }
}

/**
 * Render an error outside every API surface: `{ statusCode, code, error, message }` as
 * `application/json` (hapi's own error shape plus the stable code); server errors say only their title.
 * @param err - the normalised error
 * @param _request - the failed request
 * @param h - response toolkit
 */
export const plainJsonError: ErrorRenderer = (err, _request, h) => {
  const status = err.info.httpStatus;
  const body = { statusCode: status, code: err.code, error: err.info.title, message: status >= 500 ? err.info.title : err.message };
  return h.response(body).code(status).type('application/json');
};

function owns(surface: ErrorSurface, path: string): boolean {
  return path === surface.prefix || path.startsWith(`${surface.prefix}/`);
}

/**
 * Give an API surface's errors their own rendering. Called by an API plugin as it registers; the
 * error mapper must be registered first.
 * @param server - the server (inside the API plugin)
 * @param surface - the prefix and renderer
 */
export function addErrorSurface(server: Server, surface: ErrorSurface): void {
  const mapper = server.plugins[PLUGIN_NAME];
  if (!mapper) throw new Error(`register ${PLUGIN_NAME} (src/http/errors.ts) before the API under ${surface.prefix}: it renders that API's errors`);
  mapper.addSurface(surface);
}

export const errorMapperPlugin: Plugin<ErrorMapperOptions> = {
  name: PLUGIN_NAME,
  register(server, opts) {
    const surfaces: ErrorSurface[] = [];
    server.expose('addSurface', (surface: ErrorSurface) => {
      if (surfaces.some((s) => s.prefix === surface.prefix)) throw new Error(`two error renderers for ${surface.prefix}`);
      surfaces.push(surface);
      // Longest prefix first, so a nested surface wins over the one that contains it.
      surfaces.sort((a, b) => b.prefix.length - a.prefix.length);
    });
    server.ext('onPreResponse', (request: Request, h: ResponseToolkit): ResponseObject | symbol => {
      const thrown = request.response;
      if (!(thrown instanceof Error)) return h.continue;
      const err = normaliseError(thrown);
      if (err.info.httpStatus >= 500) opts.logger.error({ err: thrown, path: request.route.path }, 'request failed');
      const render = surfaces.find((s) => owns(s, request.path))?.render ?? plainJsonError;
      const response = render(err, request, h);
      const retryAfter = err.details.retryAfterSeconds;
      if (typeof retryAfter === 'number') response.header('Retry-After', String(retryAfter));
      return response;
    });
  },
};
