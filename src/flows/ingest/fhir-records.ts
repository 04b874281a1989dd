/**
 * The identity operations a FHIR payload asks for, as the HTTP API reads them: a Patient, or the
 * Patients of a Bundle (transaction, batch, collection, history, or a PMIR message whose
 * MessageHeader focuses a history Bundle). An entry `DELETE Patient?identifier=…` (or
 * `DELETE Patient/{id}`) deactivates a source record. Resources other than Patients are not
 * identities and are skipped; each Patient is validated on its own, so one bad record does not
 * refuse its neighbours.
 */
import type { Bundle, BundleEntry, Patient } from 'fhir/r4';
import { IngestRefusal } from './refusal';

/** One operation of a payload, in payload order. */
export type IngestOp =
  | { op: 'register'; patient: Patient; entry: number }
  | { op: 'deactivate'; target: { identifier: { system: string; value: string } } | { id: string }; entry: number }
  | { op: 'refuse'; code: string; reason: string; entry: number; value: unknown; key?: string };

const BUNDLE_TYPES = new Set(['transaction', 'batch', 'collection', 'history', 'message']);

function historyOf(message: Bundle): Bundle {
  const header = message.entry?.[0]?.resource;
  if (header?.resourceType !== 'MessageHeader') throw new IngestRefusal('invalid', 'the first entry of a message Bundle must be a MessageHeader');
  const focus = message.entry?.slice(1).find((e) => e.resource?.resourceType === 'Bundle')?.resource as Bundle | undefined;
  if (!focus || focus.type !== 'history') throw new IngestRefusal('invalid', 'the MessageHeader focus must be a history Bundle');
  return focus;
}

function deleteTarget(url: string): { identifier: { system: string; value: string } } | { id: string } | null {
  const [path = '', query] = url.split('?', 2);
  if (query !== undefined) {
    const token = new URLSearchParams(query).get('identifier') ?? '';
    const bar = token.indexOf('|');
    return bar > 0 && bar < token.length - 1 ? { identifier: { system: token.slice(0, bar), value: token.slice(bar + 1) } } : null;
  }
  const m = /^Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(path);
  return m ? { id: m[1] as string } : null;
}

function entryOp(e: BundleEntry, i: number, validate: (body: unknown) => Patient): IngestOp | null {
  if (e.request?.method === 'DELETE') {
    const url = e.request.url ?? '';
    if (!url.startsWith('Patient')) return null;
    const target = deleteTarget(url);
    return target ? { op: 'deactivate', target, entry: i } : { op: 'refuse', code: 'invalid', reason: `entry ${i}: DELETE needs Patient?identifier=system|value or Patient/{id}`, entry: i, value: e };
  }
  if (e.resource?.resourceType !== 'Patient') return null;
  return patientOp(e.resource, i, validate);
}

/**
 * `system|value` of a Patient's first identifier with both — its source record key — even when the
 * rest of it is invalid (the dead-letter key).
 * @param p - a Patient, possibly invalid
 */
export function recordKeyOf(p: unknown): string | undefined {
  const ids = (p as { identifier?: unknown } | null)?.identifier;
  const id = Array.isArray(ids) ? (ids as Array<{ system?: unknown; value?: unknown }>).find((i) => typeof i?.system === 'string' && typeof i.value === 'string' && i.system && i.value) : undefined;
  return id ? `${id.system as string}|${id.value as string}` : undefined;
}

/** The validator's message with each issue's diagnostics and location (OperationOutcome-style details). */
function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return 'invalid Patient';
  const issues = (err as { details?: { issues?: Array<{ diagnostics?: string; expression?: string[] }> } }).details?.issues ?? [];
  const parts = issues.slice(0, 5).map((x) => [x.diagnostics, x.expression?.join(', ')].filter(Boolean).join(' at '));
  return parts.length > 0 ? `${err.message}: ${parts.join('; ')}` : err.message;
}

function patientOp(resource: unknown, i: number, validate: (body: unknown) => Patient): IngestOp {
  try {
    const patient = validate(resource);
    delete patient.id;
    return { op: 'register', patient, entry: i };
  } catch (err) {
    const reason = reasonOf(err);
    const key = recordKeyOf(resource);
    return { op: 'refuse', code: 'invalid', reason: i >= 0 ? `entry ${i}: ${reason}` : reason, entry: i, value: resource, ...(key ? { key } : {}) };
  }
}

/**
 * The operations of one FHIR payload.
 * @param payload - parsed FHIR JSON
 * @param validate - the FHIR API's Patient validator (throws on an invalid Patient)
 */
export function fhirOperations(payload: unknown, validate: (body: unknown) => Patient): IngestOp[] {
  const type = (payload as { resourceType?: unknown } | null)?.resourceType;
  if (type === 'Patient') return [patientOp(payload, -1, validate)];
  if (type !== 'Bundle') throw new IngestRefusal('no-mapping', `a ${typeof type === 'string' ? type : 'payload without resourceType'} is not an identity Passerelle ingests`);
  const bundle = payload as Bundle;
  if (!BUNDLE_TYPES.has(bundle.type)) throw new IngestRefusal('invalid', `a ${String(bundle.type)} Bundle is not ingested (transaction, batch, collection, history or message)`);
  const entries = (bundle.type === 'message' ? historyOf(bundle) : bundle).entry ?? [];
  return entries.flatMap((e, i) => entryOp(e, i, validate) ?? []);
}
