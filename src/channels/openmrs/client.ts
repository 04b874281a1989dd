/**
 * OpenMRS over HTTP, nothing else: Patient changes from the FHIR2 module or from the Atom Feed
 * module's patient feed with each patient read through REST Web Services v1, and patient identifiers
 * through REST v1 for write-back (source-systems.md §2). The base URL is the
 * OpenMRS root, e.g. `https://openmrs.example.org/openmrs`.
 */
import type { OrchestrationSink } from '../../core/orchestration';
import { pullFhirChanges } from '../fhir-search';
import type { FhirSearchPage } from '../fhir-search';
import type { UpstreamClient } from '../http';
import type { PullOptions } from '../ports';
import { UpstreamError } from '../upstream-error';
import { AtomFormatError, parseAtomFeed } from './atom';
import type { AtomFeed } from './atom';

/** The FHIR2 module's base under the OpenMRS root. */
export const FHIR2_BASE = 'ws/fhir2/R4';
/** The FHIR2 module's largest page (global property fhir2.paging.maximum). */
export const FHIR2_MAX_PAGE = 100;

/** A patient identifier as REST v1 takes it. */
export interface RestIdentifier {
  identifier: string;
  identifierType?: string;
  location?: string;
  preferred?: boolean;
}

/** The Atom Feed module's patient feed under the OpenMRS root. */
export const PATIENT_FEED = 'ws/atomfeed/patient';

/** OpenMRS calls. */
export class OpenmrsClient {
  /** @param http - the upstream client (base URL = the OpenMRS root) */
  constructor(private readonly http: UpstreamClient) {}

  /**
   * One page of the Atom Feed module's patient feed: `GET /ws/atomfeed/patient/{n}` (or `recent`).
   * @param page - the page's number, or `recent`
   * @param sink - orchestration sink
   */
  async patientFeedPage(page: number | 'recent', sink: OrchestrationSink): Promise<AtomFeed> {
    const res = await this.http.request<string>({ method: 'GET', path: `${PATIENT_FEED}/${page}`, accept: 'atom', name: `OpenMRS patient feed page ${page}` }, sink);
    try {
      return parseAtomFeed(res.data);
    } catch (err) {
      if (!(err instanceof AtomFormatError)) throw err;
      throw new UpstreamError(`openmrs answered with a feed page Passerelle cannot read: ${err.message}`, { channel: this.http.channel, method: 'GET', url: res.url, status: res.status, durationMs: res.durationMs, failure: 'malformed', retryable: true });
    }
  }

  /**
   * A patient through REST Web Services v1, in full (`GET /ws/rest/v1/patient/{uuid}?v=full`);
   * null when OpenMRS no longer has it (purged).
   * @param uuid - patient UUID
   * @param sink - orchestration sink
   */
  async restPatient(uuid: string, sink: OrchestrationSink): Promise<unknown> {
    const res = await this.http.request({ method: 'GET', path: `ws/rest/v1/patient/${encodeURIComponent(uuid)}`, query: { v: 'full' }, name: 'OpenMRS REST patient', answerStatuses: [404] }, sink);
    return res.status === 404 ? null : res.data;
  }

  /**
   * The next page of changed Patients.
   * @param position - the stored cursor
   * @param pageSize - patients per page (at most 100)
   * @param opts - sink, total wanted
   */
  patientChanges(position: unknown, pageSize: number, opts: PullOptions): Promise<FhirSearchPage> {
    return pullFhirChanges(this.http, { base: FHIR2_BASE, resourceType: 'Patient', pageSize: Math.min(pageSize, FHIR2_MAX_PAGE), label: 'OpenMRS Patient' }, position, opts);
  }

  /**
   * Add an identifier to a patient: `POST /ws/rest/v1/patient/{uuid}/identifier`.
   * @param patient - patient UUID
   * @param identifier - the identifier
   * @param sink - orchestration sink
   */
  async addIdentifier(patient: string, identifier: RestIdentifier, sink: OrchestrationSink): Promise<void> {
    await this.http.request({ method: 'POST', path: `ws/rest/v1/patient/${encodeURIComponent(patient)}/identifier`, body: identifier, name: 'OpenMRS add patient identifier' }, sink);
  }

  /**
   * Change an identifier's value: `POST /ws/rest/v1/patient/{uuid}/identifier/{identifierUuid}`.
   * @param patient - patient UUID
   * @param identifierUuid - the identifier's UUID
   * @param value - the new value
   * @param sink - orchestration sink
   */
  async updateIdentifier(patient: string, identifierUuid: string, value: string, sink: OrchestrationSink): Promise<void> {
    await this.http.request({
      method: 'POST', path: `ws/rest/v1/patient/${encodeURIComponent(patient)}/identifier/${encodeURIComponent(identifierUuid)}`,
      body: { identifier: value }, name: 'OpenMRS update patient identifier', idempotent: true,
    }, sink);
  }
}
