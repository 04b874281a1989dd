/**
 * The `/mpi` REST plugin: registers the route table, its problem+json renderer on the one error path
 * and the generated OpenAPI document with its readable page under `/docs`.
 */
import type { Plugin } from '@hapi/hapi';
import type { Logger } from '../core/logger';
import type { RegistryService } from '../registry/api';
import { registerDocsRoutes } from './docs';
import { buildOpenApi } from './openapi';
import { addErrorSurface } from '../http/errors';
import { problemRenderer } from './problem';
import type { MpiRoute } from './route-table';
import { toServerRoute } from './route-table';
import { identityRoutes } from './routes/identities';
import { mergeRoutes } from './routes/merges';
import { recordDetailRoutes } from './routes/record-details';
import { registerRoutes } from './routes/register';
import { reviewRoutes } from './routes/reviews';
import { tokenRoutes } from './routes/tokens';

/** Options of {@link mpiApiPlugin}. */
export interface MpiApiOptions {
  registry: RegistryService;
  logger: Logger;
  /** Version shown in the OpenAPI document (package.json). */
  version: string;
  /** Public base URL (servers[0] and the token URL in the document). */
  baseUrl: string;
  /** Short identifier type names (external_ids keys, `program`, resolve `system`) → system URIs. */
  identifierSystems?: Record<string, string>;
  /** More routes in the same shape (the sync API: `/sync`, `/channels`), with their path prefixes for problem+json. */
  extraRoutes?: { routes: MpiRoute[]; prefixes: string[] };
}

/** Every route of the MPI API, in documentation order. */
export function mpiRoutes(): MpiRoute[] {
  return [...registerRoutes, ...identityRoutes, ...recordDetailRoutes, ...mergeRoutes, ...reviewRoutes, ...tokenRoutes];
}

export const mpiApiPlugin: Plugin<MpiApiOptions> = {
  name: 'passerelle-mpi-api',
  dependencies: ['passerelle-error-mapper'],
  register(server, opts) {
    const routes = [...mpiRoutes(), ...(opts.extraRoutes?.routes ?? [])];
    const deps = { registry: opts.registry, logger: opts.logger, identifierSystems: opts.identifierSystems ?? {} };
    server.route(routes.map((r) => toServerRoute(r, deps)));
    for (const prefix of ['/mpi', ...(opts.extraRoutes?.prefixes ?? [])]) addErrorSurface(server, { prefix, render: problemRenderer });
    registerDocsRoutes(server, buildOpenApi(routes, { version: opts.version, baseUrl: opts.baseUrl }));
  },
};
