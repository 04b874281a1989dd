/**
 * Environment for an app whose channels point at upstream fakes: enabled, credentials of the fakes,
 * small pages, and a poll interval long enough that only the test starts runs.
 */
import type { Server } from '@hapi/hapi';
import type { FakeDhis2 } from './fakes/dhis2';
import { SL } from './fakes/dhis2';

/**
 * Live settings (as environment variables) for the fake DHIS2.
 * @param fake - the running fake
 * @param over - more variables
 */
export function dhis2Env(fake: FakeDhis2, over: Record<string, string> = {}): Record<string, string> {
  return {
    DHIS2_ENABLED: 'true', DHIS2_BASE_URL: fake.url, DHIS2_USERNAME: 'admin', DHIS2_PASSWORD: 'district', DHIS2_PAGE_SIZE: '50',
    DHIS2_POLL_INTERVAL_SECONDS: '3600', DHIS2_MPI_ID_ATTRIBUTE: SL.mpiId, DHIS2_TIMEOUT_MS: '2000', DEFAULT_PHONE_COUNTRY: 'SL', ...over,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are probed freely in tests
type Json = any;

/** A response as the tests read it. */
export interface Called {
  status: number;
  body: Json;
  headers: Record<string, unknown>;
}

/**
 * One request through `server.inject`, the JSON body parsed.
 * @param server - the app's server
 * @param method - HTTP method
 * @param url - path and query
 * @param payload - body (JSON-serialised unless a string)
 * @param headers - request headers
 */
export async function call(server: Server, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Called> {
  const res = await server.inject({ method, url, payload: payload as object, headers });
  return { status: res.statusCode, body: res.payload ? JSON.parse(res.payload) : undefined, headers: res.headers };
}

/**
 * Live settings (as environment variables) for the fake OpenMRS.
 * @param url - the fake's base URL (the OpenMRS root)
 * @param over - more variables
 */
export function openmrsEnv(url: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    OPENMRS_ENABLED: 'true', OPENMRS_BASE_URL: url, OPENMRS_USERNAME: 'admin', OPENMRS_PASSWORD: 'Admin123', OPENMRS_PAGE_SIZE: '20',
    OPENMRS_POLL_INTERVAL_SECONDS: '3600', OPENMRS_MPI_IDENTIFIER_TYPE: '6d6f2e3c-7a5b-4c1d-9e8f-0a1b2c3d4e5f', OPENMRS_TIMEOUT_MS: '2000', ...over,
  };
}

/**
 * Live settings (as environment variables) for the fake iHRIS.
 * @param fhirBase - the fake HAPI server's FHIR base
 * @param over - more variables
 */
export function ihrisEnv(fhirBase: string, over: Record<string, string> = {}): Record<string, string> {
  return { IHRIS_ENABLED: 'true', IHRIS_BASE_URL: fhirBase, IHRIS_PAGE_SIZE: '20', IHRIS_POLL_INTERVAL_SECONDS: '3600', IHRIS_TIMEOUT_MS: '2000', ...over };
}

/**
 * Live settings (as environment variables) for the fake national registry.
 * @param fhirBase - the fake's FHIR base
 * @param over - more variables
 */
export function ncrEnv(fhirBase: string, over: Record<string, string> = {}): Record<string, string> {
  return { NCR_ENABLED: 'true', NCR_BASE_URL: fhirBase, NCR_CLIENT_ID: 'passerelle', NCR_PAGE_SIZE: '50', NCR_POLL_INTERVAL_SECONDS: '3600', NCR_SEND_DELAY_SECONDS: '0', NCR_TIMEOUT_MS: '2000', ...over };
}
