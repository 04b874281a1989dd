/**
 * The framework-free contract of the FHIR API: a handler takes a plain `FhirRequest` and the
 * plugin's dependencies and returns `[OperationOutcome, Resource?, headers?]`. Only `plugin.ts`
 * knows hapi; handlers are unit-testable without a server.
 */
import type { Bundle, OperationOutcome, Patient, Resource } from 'fhir/r4';
import type { OrchestrationSink } from '../core/orchestration';
import type { Actor } from '../core/types';
import type { RegistryService } from '../registry/api';
import type { TerminologyService } from '../terminology/service';
import type { PractitionerStore } from '../practitioners/port';
import type { IdentifierDomains } from './domains';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A FHIR request, independent of the HTTP framework. */
export interface FhirRequest {
  method: HttpMethod;
  /** Path below the base, without leading slash (e.g. `Patient/123`). */
  path: string;
  /** Path parameters from the route template. */
  params: Record<string, string>;
  /** Query parameters; every value as an array, `_format` removed. */
  query: Record<string, string[]>;
  /** Parsed body (JSON object), if any. */
  body?: unknown;
  /** Content type of the body (JSON Patch vs FHIR resource). */
  contentType?: string;
  ifMatch?: string;
  ifNoneExist?: string;
  prefer?: string;
  actor: Actor;
  /** Scopes granted to the caller; undefined when no auth strategy filled them. */
  scopes?: string[];
  /** Where upstream calls made for this request report (the OpenHIM envelope's orchestrations). */
  orchestrations?: OrchestrationSink;
}

/** Extra response headers a handler may set (Location, ETag, the golden record header). */
export type ResponseHeaders = Record<string, string>;

/** What every handler returns: the outcome (drives the status), the body resource, headers. */
export type FhirResult = [OperationOutcome, Resource?, ResponseHeaders?];

/** Everything handlers may use. Built once by the plugin. */
export interface FhirContext {
  registry: RegistryService;
  practitioners: PractitionerStore;
  terminology: TerminologyService;
  domains: IdentifierDomains;
  /** Public base URL of the FHIR API, without trailing slash (e.g. `https://mpi.example.org/fhir`). */
  baseUrl: string;
  /** Upper bound of `_count`. */
  maxCount: number;
  /** Page size when `_count` is absent. */
  defaultCount: number;
  /** Told of each Bundle accepted through `POST /fhir` or `$process-message` (the optional `2xx` topic). */
  bundleAccepted?: (bundle: Bundle, actor: Actor) => Promise<void>;
  /**
   * Asked when `$match` finds nothing (the national registry, when NCR_QUERY_ON_MATCH_MISS is on): takes
   * in what another registry knows of the person; true when it took something in (match again).
   */
  onMatchMiss?: (probe: Patient, actor: Actor, sink?: OrchestrationSink) => Promise<boolean>;
  /** Dispatch a request to the route table (batch, transaction, PMIR), with this or another context (a transaction's). */
  dispatch(req: FhirRequest, within?: FhirContext): Promise<FhirResult>;
}

/** A framework-free FHIR handler. */
export type FhirHandler = (req: FhirRequest, api: FhirContext) => Promise<FhirResult>;
