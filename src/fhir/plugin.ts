/**
 * The FHIR R4 API as a hapi plugin under `/fhir`: registers every route of the route table through
 * the one adapter, declares each route's scope for the auth plugin, and gives the one error path
 * (src/http/errors.ts) its `/fhir` renderer: every error as an OperationOutcome (JSON or XML).
 */
import type { Plugin, RouteOptions } from '@hapi/hapi';
import type { RegistryService } from '../registry/api';
import type { TerminologyService } from '../terminology/service';
import { addErrorSurface } from '../http/errors';
import { adapt, fhirErrorSurface } from './adapter';
import { createIdentifierDomains } from './domains';
import { FhirFormats } from './format';
import type { PractitionerStore } from '../practitioners/port';
import { dispatch } from './dispatch';
import { toHapiPath } from './router';
import type { Capability, FhirRoute } from './router';
import { buildRouter } from './routes';
import type { FhirContext } from './types';

/** Options of the FHIR plugin. */
export interface FhirPluginOptions {
  registry: RegistryService;
  /** Health workers (filled by the iHRIS channel). */
  practitioners: PractitionerStore;
  terminology: TerminologyService;
  /** Public base URL of the FHIR API, e.g. `https://mpi.example.org/fhir`. */
  baseUrl: string;
  /** Upper bound of `_count` (default 100). */
  maxCount?: number;
  /** Page size when `_count` is absent (default 20). */
  defaultCount?: number;
  /** Identifier systems always known as domains (PIXm/PDQm), e.g. the MPI ID and national id systems. */
  identifierSystems?: string[];
  /** Told of each accepted Bundle (the optional Instant OpenHIE `2xx` topic). */
  bundleAccepted?: FhirContext['bundleAccepted'];
  /** See FhirContext.onMatchMiss. */
  onMatchMiss?: FhirContext['onMatchMiss'];
  /** What routes other modules serve under /fhir add to the CapabilityStatement (the AuditEvent search). */
  externalCapabilities?: readonly Capability[];
}

const PREFIX = '/fhir';
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function routeOptions(route: FhirRoute): RouteOptions {
  const options: RouteOptions = { plugins: { passerelle: route.public ? { public: true } : { scope: route.scope } } as object };
  if (BODY_METHODS.has(route.method)) options.payload = { parse: false, output: 'data' };
  return options;
}

export const fhirPlugin: Plugin<FhirPluginOptions> = {
  name: 'passerelle-fhir',
  dependencies: ['passerelle-error-mapper'],
  register(server, opts) {
    const formats = new FhirFormats();
    const router = buildRouter(formats, opts.externalCapabilities);
    const api: FhirContext = {
      registry: opts.registry,
      practitioners: opts.practitioners,
      terminology: opts.terminology,
      domains: createIdentifierDomains(opts.registry, opts.identifierSystems),
      baseUrl: opts.baseUrl.replace(/\/+$/, ''),
      maxCount: opts.maxCount ?? 100,
      defaultCount: Math.min(opts.defaultCount ?? 20, opts.maxCount ?? 100),
      dispatch: (req, within) => dispatch(router, within ?? api, req),
      ...(opts.bundleAccepted ? { bundleAccepted: opts.bundleAccepted } : {}),
      ...(opts.onMatchMiss ? { onMatchMiss: opts.onMatchMiss } : {}),
    };
    for (const route of router.routes) {
      server.route({ method: route.method, path: toHapiPath(PREFIX, route.path), options: routeOptions(route), handler: adapt(route, api, formats, PREFIX) });
    }
    addErrorSurface(server, fhirErrorSurface(formats, PREFIX));
  },
};
