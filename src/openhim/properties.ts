/**
 * Transaction properties: what OpenHIM's transaction log can be searched by (`properties.<key>`,
 * exact match on string values). Passerelle records the MPI IDs and source records a request touched,
 * the operation and its own request id, which joins OpenHIM's log to Passerelle's.
 */

/** What a request touched (the shape of the audit note, src/audit/context.ts). */
export interface TouchedIdentities {
  operation?: string;
  mpiIds: readonly string[];
  sourceIds: readonly string[];
}

/** Lists longer than this are cut in the joined property (Core stores strings, searched whole). */
const MAX_LISTED = 50;

function joined(ids: readonly string[]): string {
  const shown = ids.slice(0, MAX_LISTED).join(',');
  return ids.length > MAX_LISTED ? `${shown},…(+${ids.length - MAX_LISTED})` : shown;
}

/**
 * The properties of one transaction: `mpi-id` / `source-id` hold the first (so an exact search finds
 * the common one-identity request), `mpi-ids` / `source-ids` all of them when there are several.
 * @param touched - operation, MPI IDs and source ids of the request
 * @param request - the request's id and route (`GET /fhir/Patient/{id}`)
 */
export function transactionProperties(touched: TouchedIdentities, request: { requestId: string; route: string }): Record<string, string> {
  const props: Record<string, string> = { operation: touched.operation ?? request.route, 'passerelle-request-id': request.requestId };
  for (const [one, many, ids] of [['mpi-id', 'mpi-ids', touched.mpiIds], ['source-id', 'source-ids', touched.sourceIds]] as const) {
    if (ids.length > 0) props[one] = ids[0]!;
    if (ids.length > 1) props[many] = joined(ids);
  }
  return props;
}
