/**
 * OpenMRS over HTTP, nothing else: Patient changes from the FHIR2 module, and patient identifiers
 * through REST Web Services v1 for write-back (source-systems.md §2). The base URL is the
 * OpenMRS root, e.g. `https://openmrs.example.org/openmrs`.
 */
import type { OrchestrationSink } from '../../core/orchestration';
import { pullFhirChanges } from '../fhir-search';
import type { FhirSearchPage } from '../fhir-search';
import type { UpstreamClient } from '../http';
import type { PullOptions } from '../ports';

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

/** OpenMRS calls. */
export class OpenmrsClient {
  /** @param http - the upstream client (base URL = the OpenMRS root) */
  constructor(private readonly http: UpstreamClient) {}

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
