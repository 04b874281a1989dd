/**
 * Success outcomes and the single mapping from an outcome to an HTTP status (errors are thrown as
 * MediatorError and rendered by the plugin's onPreResponse).
 */
import type { OperationOutcome } from 'fhir/r4';

function ok(id: string, diagnostics: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', id, issue: [{ severity: 'information', code: 'informational', diagnostics }] };
}

/** 200 OK. */
export function allOk(diagnostics = 'All OK'): OperationOutcome {
  return ok('ok', diagnostics);
}

/** 201 Created. */
export function createdOutcome(diagnostics = 'Created'): OperationOutcome {
  return ok('created', diagnostics);
}

/** 204 No Content. */
export function noContent(): OperationOutcome {
  return ok('no-content', 'No content');
}

const STATUS_BY_ID: Record<string, number> = { ok: 200, created: 201, 'no-content': 204 };

/**
 * The HTTP status of a handler's outcome.
 * @param outcome - the outcome a handler returned
 */
export function getStatus(outcome: OperationOutcome): number {
  return STATUS_BY_ID[outcome.id ?? 'ok'] ?? 200;
}
