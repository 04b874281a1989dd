/**
 * PMIR ITI-93 Mobile Patient Identity Feed: a `message` Bundle whose MessageHeader (event
 * `urn:ihe:iti:pmir:2019:patient-feed`) focuses a `history` Bundle. Each history entry creates,
 * updates (a `replaced-by` link merges) or deletes (deactivates) a source record. The response is a
 * `message` Bundle whose MessageHeader reports the outcome, focusing a `batch-response` Bundle.
 */
import type { Bundle, BundleEntry, MessageHeader, Patient } from 'fhir/r4';
import type { SourceRecord } from '../../registry/api';
import { MediatorError } from '../../core/errors';
import { PMIR_EVENT } from '../extensions';
import { allOk } from '../outcomes';
import type { PatientValidator } from '../patient/write';
import { storePatient } from '../patient/write';
import { mergedAwayFrom, replacedByLink } from '../patient/merge-link';
import type { FhirContext, FhirHandler, FhirRequest, FhirResult } from '../types';
import { bundleOf, errorEntry, successEntry } from './bundle-entry';
import { parseFullToken } from '../search/token';
import { asOneChange } from './one-change';

function parseMessage(body: unknown): { header: MessageHeader; history: Bundle } {
  const message = bundleOf(body, ['message']);
  const header = message.entry?.[0]?.resource as MessageHeader | undefined;
  if (header?.resourceType !== 'MessageHeader') throw new MediatorError('invalid', 'The first entry of a message Bundle must be a MessageHeader');
  if (header.eventUri !== PMIR_EVENT) throw new MediatorError('invalid', `MessageHeader.eventUri must be ${PMIR_EVENT}`, { expression: 'MessageHeader.eventUri' });
  const focusRef = header.focus?.[0]?.reference;
  const focus = message.entry?.find((e, i) => i > 0 && (focusRef === undefined || e.fullUrl === focusRef || `Bundle/${e.resource?.id ?? ''}` === focusRef));
  const history = focus?.resource as Bundle | undefined;
  if (history?.resourceType !== 'Bundle' || history.type !== 'history') throw new MediatorError('invalid', 'The MessageHeader focus must be a history Bundle');
  return { header, history };
}

async function applyEntry(api: FhirContext, req: FhirRequest, e: BundleEntry, validate: PatientValidator): Promise<FhirResult> {
  const method = e.request?.method;
  const url = e.request?.url ?? '';
  if (method === 'DELETE') {
    const [path = '', qs = ''] = url.split('?', 2);
    const ident = qs ? parseFullToken(new URLSearchParams(qs).get('identifier') ?? undefined, 'identifier') : undefined;
    const source = ident ? (await api.registry.findSourcesByIdentifier(ident))[0] : await api.registry.getSourceById(path.replace(/^Patient\//, ''));
    if (!source) throw new MediatorError('not-found', 'Patient to delete not found');
    await api.registry.deactivateSource(source.key, req.actor);
    return [allOk()];
  }
  if (method !== 'POST' && method !== 'PUT') throw new MediatorError('invalid', 'History entries must be POST, PUT or DELETE');
  const patient: Patient = validate(e.resource, (e.resource as Patient | undefined)?.id);
  const existing = method === 'PUT' ? await putTarget(api, url) : null;
  if (existing && !replacedByLink(patient)) await refuseUnmerge(api, existing);
  if (!existing) delete patient.id;
  return storePatient(api, patient, req.actor, existing ?? undefined);
}

/** The source record a PUT addresses: `Patient/{id}` or `Patient?identifier=system|value`. */
async function putTarget(api: FhirContext, url: string): Promise<SourceRecord | null> {
  const [path = '', qs] = url.split('?', 2);
  const identifier = qs === undefined ? undefined : new URLSearchParams(qs).get('identifier');
  if (!identifier) return api.registry.getSourceById(path.replace(/^Patient\//, ''));
  const found = await api.registry.findSourcesByIdentifier(parseFullToken(identifier, 'identifier'));
  if (found.length > 1) throw new MediatorError('multiple-matches', 'The condition matches several Patients');
  return found[0] ?? null;
}

/** ITI-93: a PUT dropping the `replaced-by` link of a merged Patient is an unmerge, refused (405) by local policy. */
async function refuseUnmerge(api: FhirContext, existing: SourceRecord): Promise<void> {
  const retired = await mergedAwayFrom(api.registry, existing);
  if (!retired) return;
  throw new MediatorError('not-supported', `Patient/${existing.id} was merged into Patient/${existing.goldenId ?? ''}: unmerge through PMIR (removing the replaced-by link) is not allowed by local policy; use POST /mpi/unmerge with mpi_id ${retired}`, { expression: 'Patient.link' });
}

async function feedEntries(tx: FhirContext, req: FhirRequest, entries: BundleEntry[], validate: PatientValidator): Promise<BundleEntry[]> {
  const out: BundleEntry[] = [];
  for (const e of entries) {
    try {
      out.push(successEntry(tx, await applyEntry(tx, req, e, validate)));
    } catch (err) {
      out.push(errorEntry(err));
    }
  }
  return out;
}

/**
 * The ITI-93 handler (`POST /fhir/$process-message`, or `POST /fhir` with a message Bundle).
 * @param validate - the Patient validator
 */
export function processMessage(validate: PatientValidator): FhirHandler {
  return async (req: FhirRequest, api: FhirContext): Promise<FhirResult> => {
    const { header, history } = parseMessage(req.body);
    // Every entry keeps its own outcome; their changes commit as one (the registry's bulk path).
    const entry = await asOneChange(api, req.actor, history.entry ?? [], (tx) => feedEntries(tx, req, history.entry ?? [], validate), { split: true });
    const failed = entry.some((e) => !e.response?.status.startsWith('2'));
    const responseId = crypto.randomUUID();
    const result: MessageHeader = {
      resourceType: 'MessageHeader',
      id: crypto.randomUUID(),
      eventUri: PMIR_EVENT,
      source: { endpoint: api.baseUrl },
      response: { identifier: header.id ?? 'unknown', code: failed ? 'fatal-error' : 'ok' },
      focus: [{ reference: `urn:uuid:${responseId}` }],
    };
    const batch: Bundle = { resourceType: 'Bundle', id: responseId, type: 'batch-response', ...(entry.length > 0 ? { entry } : {}) };
    const message: Bundle = {
      resourceType: 'Bundle', id: crypto.randomUUID(), type: 'message', timestamp: new Date().toISOString(),
      entry: [{ fullUrl: `urn:uuid:${result.id ?? ''}`, resource: result }, { fullUrl: `urn:uuid:${responseId}`, resource: batch }],
    };
    return [allOk(), message];
  };
}
