/**
 * How a handler tells the audit trail which identities a request touched. Handlers call
 * {@link noteAudit}; the audit plugin reads the notes when the response is sent. Kept free of
 * storage concerns so any API (FHIR, MPI) can use it.
 */
import type { Request } from '@hapi/hapi';

/** What one request did to which identities. */
export interface AuditNote {
  /** Operation name (overrides the route's declared one), e.g. `mpi.merge`. */
  operation?: string;
  mpiIds?: string[];
  /** Source record keys or FHIR ids. */
  sourceIds?: string[];
  /** Free-form, non-personal facts (e.g. `{ forceCreate: true }`). */
  detail?: Record<string, string | number | boolean>;
}

declare module '@hapi/hapi' {
  interface PluginsStates {
    'passerelle-audit'?: Required<Pick<AuditNote, 'mpiIds' | 'sourceIds'>> & Pick<AuditNote, 'operation' | 'detail'>;
  }
}

/**
 * Add what a request touched to its audit record (ids are de-duplicated).
 * @param request - the hapi request
 * @param note - operation, MPI IDs, source ids, detail
 */
export function noteAudit(request: Request, note: AuditNote): void {
  const current = request.plugins['passerelle-audit'] ?? { mpiIds: [], sourceIds: [] };
  const next = {
    operation: note.operation ?? current.operation,
    mpiIds: [...new Set([...current.mpiIds, ...(note.mpiIds ?? [])])],
    sourceIds: [...new Set([...current.sourceIds, ...(note.sourceIds ?? [])])],
    detail: note.detail ? { ...current.detail, ...note.detail } : current.detail,
  };
  request.plugins['passerelle-audit'] = next;
}

/**
 * The notes recorded for a request so far.
 * @param request - the hapi request
 */
export function auditNoteOf(request: Request): Required<Pick<AuditNote, 'mpiIds' | 'sourceIds'>> & Pick<AuditNote, 'operation' | 'detail'> {
  return request.plugins['passerelle-audit'] ?? { mpiIds: [], sourceIds: [] };
}
