/**
 * DHIS2 over HTTP, nothing else: the tracker export (2.36+ and the legacy API), the server's version,
 * and the tracker importer for write-back (docs `developer/web-api/tracker.md`, `tracker-old.md`).
 */
import type { OrchestrationSink } from '../../core/orchestration';
import type { UpstreamClient } from '../http';

/** Query parameters of an export call. */
export type ExportQuery = Record<string, string | number | boolean | undefined>;

/** One tracked entity of a write-back import: only the attributes to set. */
export interface TrackedEntityUpdate {
  trackedEntity: string;
  trackedEntityType: string;
  orgUnit: string;
  attributes: Array<{ attribute: string; value: string }>;
}

/** The importer's answer: per-entity errors in `validationReport.errorReports`. */
export interface ImportReport {
  status?: string;
  validationReport?: { errorReports?: Array<{ uid?: string; message?: string; errorCode?: string }> };
}

/** DHIS2 calls. */
export class Dhis2Client {
  /** @param http - the upstream client (base URL = the DHIS2 root, e.g. https://play.dhis2.org/2.41) */
  constructor(private readonly http: UpstreamClient) {}

  /**
   * `GET /api/system/info`: the server's version (`2.41.1`…).
   * @param sink - orchestration sink
   */
  async version(sink: OrchestrationSink): Promise<string | undefined> {
    const res = await this.http.request<{ version?: unknown }>({ method: 'GET', path: 'api/system/info', name: 'DHIS2 system info' }, sink);
    return typeof res.data?.version === 'string' ? res.data.version : undefined;
  }

  /**
   * One page of `GET /api/tracker/trackedEntities` (2.36+).
   * @param query - scope, `updatedAfter`, order and paging
   * @param sink - orchestration sink
   */
  async trackedEntities(query: ExportQuery, sink: OrchestrationSink): Promise<unknown> {
    return (await this.http.request({ method: 'GET', path: 'api/tracker/trackedEntities', query, name: `DHIS2 trackedEntities page ${String(query.page ?? 1)}` }, sink)).data;
  }

  /**
   * One page of the legacy `GET /api/trackedEntityInstances` (up to 2.41).
   * @param query - scope, `lastUpdatedStartDate`, order and paging
   * @param sink - orchestration sink
   */
  async trackedEntityInstances(query: ExportQuery, sink: OrchestrationSink): Promise<unknown> {
    return (await this.http.request({ method: 'GET', path: 'api/trackedEntityInstances', query, name: `DHIS2 trackedEntityInstances page ${String(query.page ?? 1)}` }, sink)).data;
  }

  /**
   * Set attributes of existing tracked entities: `POST /api/tracker?async=false&importStrategy=UPDATE`.
   * Setting a value twice is harmless, so the call is retried like a read.
   * @param updates - entities and the attributes to set
   * @param sink - orchestration sink
   */
  async updateAttributes(updates: TrackedEntityUpdate[], sink: OrchestrationSink): Promise<ImportReport> {
    const res = await this.http.request<ImportReport>({
      method: 'POST', path: 'api/tracker', query: { async: false, importStrategy: 'UPDATE', atomicMode: 'OBJECT' }, body: { trackedEntities: updates },
      name: `DHIS2 tracker import (${updates.length} MPI IDs)`, idempotent: true, answerStatuses: [409],
    }, sink);
    return res.data ?? {};
  }

  /**
   * Replace a legacy tracked entity instance: `PUT /api/trackedEntityInstances/{uid}` (its whole payload).
   * @param uid - the entity
   * @param instance - the payload with the new attribute values
   * @param sink - orchestration sink
   */
  async replaceInstance(uid: string, instance: unknown, sink: OrchestrationSink): Promise<void> {
    await this.http.request({ method: 'PUT', path: `api/trackedEntityInstances/${encodeURIComponent(uid)}`, body: instance, name: 'DHIS2 trackedEntityInstance update' }, sink);
  }
}
