/**
 * The audit trail: one record per read or write of an identity — who (client, user), what
 * (operation, MPI IDs, source ids), when, from where, and the outcome. Records never hold
 * demographics, only identifiers of records.
 */

/** One audited request. */
export interface AuditRecord {
  /** Unique id (also the idempotency key of a retried write). */
  id: string;
  /** ISO time the request completed. */
  recorded: string;
  /** e.g. `mpi.register`, `fhir.patient.read`, `oauth.token`. */
  operation: string;
  /** FHIR AuditEvent action: Create, Read, Update, Delete, Execute. */
  action: 'C' | 'R' | 'U' | 'D' | 'E';
  /** FHIR AuditEvent outcome: 0 success, 4 minor failure (4xx), 8 serious failure (5xx). */
  outcome: '0' | '4' | '8' | '12';
  httpStatus: number;
  method: string;
  /** Route template, never the concrete path. */
  route: string;
  agent: { clientId: string; userId?: string; address?: string; transactionId?: string };
  mpiIds: string[];
  sourceIds: string[];
  detail?: Record<string, string | number | boolean>;
}

/** Filters of an audit search (FHIR AuditEvent `date`, `agent`, `entity`). */
export interface AuditQuery {
  /** Inclusive lower bound (ISO). */
  from?: string;
  /** Exclusive upper bound (ISO). */
  to?: string;
  /** Client id or user id. */
  agent?: string;
  /** MPI ID or source id. */
  entity?: string;
  offset: number;
  count: number;
}

/** Storage of audit records (memory twin and MongoDB). */
export interface AuditStore {
  /** Append records; appending an id already stored is a no-op (retries are safe). */
  append(records: AuditRecord[]): Promise<void>;
  /** Newest first. */
  search(query: AuditQuery): Promise<{ total: number; items: AuditRecord[] }>;
}

/**
 * True when a record passes the query's filters (shared by the memory store and tests).
 * @param r - a record
 * @param q - the query
 */
export function matchesQuery(r: AuditRecord, q: AuditQuery): boolean {
  if (q.from && r.recorded < q.from) return false;
  if (q.to && r.recorded >= q.to) return false;
  if (q.agent && r.agent.clientId !== q.agent && r.agent.userId !== q.agent) return false;
  if (q.entity && !r.mpiIds.includes(q.entity) && !r.sourceIds.includes(q.entity)) return false;
  return true;
}
