/**
 * `POST /fhir` with a `batch` or `transaction` Bundle (a `message` Bundle goes to PMIR). Entries run
 * through the route table, so Patients go through matching. A transaction's entries run in FHIR
 * order (DELETE, POST, PUT/PATCH, GET) with `urn:uuid` references resolved, inside one registry unit
 * (registry/atomic.ts): if any entry fails, nothing is written and one OperationOutcome names it.
 */
import type { Bundle, BundleEntry } from 'fhir/r4';
import { MediatorError } from '../../core/errors';
import { normaliseError } from '../../core/outcome';
import { allOk } from '../outcomes';
import type { PatientValidator } from '../patient/write';
import type { FhirContext, FhirHandler, FhirRequest, FhirResult } from '../types';
import { bundleOf, entryRequest, errorEntry, successEntry } from './bundle-entry';
import { processMessage } from './pmir';
import { asOneChange } from './one-change';

const ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3 };

async function batchEntries(tx: FhirContext, req: FhirRequest, entries: BundleEntry[]): Promise<BundleEntry[]> {
  const out: BundleEntry[] = [];
  for (const e of entries) {
    try {
      out.push(successEntry(tx, await tx.dispatch(entryRequest(e, req, tx.baseUrl), tx)));
    } catch (err) {
      out.push(errorEntry(err));
    }
  }
  return out;
}

async function runBatch(api: FhirContext, req: FhirRequest, bundle: Bundle): Promise<Bundle> {
  // Each entry keeps its own outcome; their changes commit as one (the registry's bulk path).
  const entry = await asOneChange(api, req.actor, bundle.entry ?? [], (tx) => batchEntries(tx, req, bundle.entry ?? []), { split: true });
  return { resourceType: 'Bundle', id: crypto.randomUUID(), type: 'batch-response', ...(entry.length > 0 ? { entry } : {}) };
}

function resolveRefs(r: FhirRequest, refs: Map<string, string>): FhirRequest {
  if (refs.size === 0 || r.body === undefined) return r;
  let json = JSON.stringify(r.body);
  for (const [urn, ref] of refs) json = json.split(JSON.stringify(urn)).join(JSON.stringify(ref));
  return { ...r, body: JSON.parse(json) as unknown };
}

async function runTransaction(api: FhirContext, req: FhirRequest, bundle: Bundle): Promise<Bundle> {
  const entries = bundle.entry ?? [];
  const reqs = entries.map((e, i) => {
    try {
      return entryRequest(e, req, api.baseUrl);
    } catch (err) {
      throw new MediatorError('invalid', `Transaction entry ${i}: ${normaliseError(err).message}`);
    }
  });
  const order = reqs.map((_, i) => i).sort((a, b) => (ORDER[reqs[a]?.method ?? 'GET'] ?? 3) - (ORDER[reqs[b]?.method ?? 'GET'] ?? 3));
  // Every entry runs inside one registry unit: their changes commit together, or none does.
  const out = await asOneChange(api, req.actor, entries, (tx) => runEntries(tx, entries, reqs, order));
  return { resourceType: 'Bundle', id: crypto.randomUUID(), type: 'transaction-response', ...(out.length > 0 ? { entry: out } : {}) };
}

async function runEntries(tx: FhirContext, entries: BundleEntry[], reqs: FhirRequest[], order: number[]): Promise<BundleEntry[]> {
  const out: BundleEntry[] = new Array<BundleEntry>(reqs.length);
  const refs = new Map<string, string>();
  for (const i of order) {
    try {
      const result = await tx.dispatch(resolveRefs(reqs[i] as FhirRequest, refs), tx);
      out[i] = successEntry(tx, result);
      const fullUrl = entries[i]?.fullUrl;
      if (fullUrl?.startsWith('urn:uuid:') && result[1]?.id) refs.set(fullUrl, `${result[1].resourceType}/${result[1].id}`);
    } catch (err) {
      const e = normaliseError(err);
      throw new MediatorError(e.code, `Transaction entry ${i} failed (nothing was written): ${e.message}`, e.details);
    }
  }
  return out;
}

/**
 * The system-level `POST /fhir` handler.
 * @param validate - the Patient validator
 */
export function processBundle(validate: PatientValidator): FhirHandler {
  return async (req: FhirRequest, api: FhirContext): Promise<FhirResult> => {
    const bundle = bundleOf(req.body, ['batch', 'transaction', 'message']);
    if (bundle.type === 'message') return processMessage(validate)(req, api);
    const result = bundle.type === 'batch' ? await runBatch(api, req, bundle) : await runTransaction(api, req, bundle);
    return [allOk(), result];
  };
}
