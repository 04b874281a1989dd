/**
 * The national client registry over HTTP, nothing else (OpenCR, source-systems.md §4): a conditional
 * update of a Patient by identifier, and a Patient search. OpenCR names the client from
 * `x-openhim-clientid` when no client certificate is used, and answers a write with the stored
 * Patient, `Location: Patient/<id>` and `LocationCRUID: Patient/<golden id>`.
 */
import type { Bundle, Patient } from 'fhir/r4';
import type { OrchestrationSink } from '../../core/orchestration';
import type { UpstreamClient } from '../http';
import type { RegistryWriteResult } from '../ports';


/** The registry's id of the person: `LocationCRUID`, else the stored Patient's `refer` link. */
function registryIdOf(headers: Record<string, string>, patient: Patient | undefined): string | undefined {
  const fromHeader = /Patient\/([A-Za-z0-9.-]{1,64})/.exec(headers.locationcruid ?? '')?.[1];
  const refer = patient?.link?.find((l) => l.type === 'refer')?.other?.reference;
  return fromHeader ?? /Patient\/([A-Za-z0-9.-]{1,64})/.exec(refer ?? '')?.[1];
}

/** National registry calls. */
export class NcrClient {
  /** @param http - the upstream client (base URL = the registry's FHIR base) */
  constructor(private readonly http: UpstreamClient) {}

  /**
   * `PUT Patient?identifier=system|value`: create or update the registry's record of a person.
   * @param system - identifier system (one the registry takes as an internal id)
   * @param value - identifier value
   * @param patient - the Patient
   * @param sink - orchestration sink
   */
  async upsertByIdentifier(system: string, value: string, patient: Patient, sink: OrchestrationSink): Promise<RegistryWriteResult> {
    const res = await this.http.request<Patient | undefined>({
      method: 'PUT', path: 'Patient', query: { identifier: `${system}|${value}` }, body: patient, contentType: 'application/fhir+json', name: 'National registry Patient update',
    }, sink);
    const stored = res.data?.resourceType === 'Patient' ? res.data : undefined;
    return { patient: stored, registryId: registryIdOf(res.headers, stored) };
  }

  /**
   * `GET Patient?…`: the registry's Patients matching demographics (PDQm parameters).
   * @param query - search parameters
   * @param sink - orchestration sink
   */
  async search(query: Record<string, string | undefined>, sink: OrchestrationSink): Promise<Patient[]> {
    const res = await this.http.request<Bundle>({ method: 'GET', path: 'Patient', query: { ...query, _count: '20' }, name: 'National registry Patient search' }, sink);
    return (res.data?.entry ?? []).map((e) => e.resource).filter((r): r is Patient => r?.resourceType === 'Patient');
  }
}
