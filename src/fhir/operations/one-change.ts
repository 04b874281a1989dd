/**
 * Running a Bundle's entries as ONE registry change: a batch, a PMIR feed and a transaction register
 * their Patients through the registry's bulk path (one atomic unit over a prefetch of their lookups,
 * committed as one change). A batch or feed keeps its per-entry outcomes inside the unit; one too
 * large for a single change runs entry by entry instead.
 */
import type { BundleEntry, Patient } from 'fhir/r4';
import { isMediatorError } from '../../core/errors';
import type { Actor } from '../../core/types';
import type { FhirContext } from '../types';

/**
 * The Patients among some entries' resources (what a unit will likely register).
 * @param entries - Bundle entries
 */
export function patientsOf(entries: BundleEntry[]): Array<{ patient: Patient }> {
  return entries.flatMap((e) => (e.resource?.resourceType === 'Patient' ? [{ patient: e.resource as Patient }] : []));
}

/**
 * Run `work` with a registry unit: its changes commit as one.
 * @param api - handler context
 * @param actor - who sent the Bundle
 * @param entries - the Bundle's entries (their Patients are prefetched)
 * @param work - the entries' processing, given the unit's context (run again if the unit is redone)
 * @param opts - `split`: when the unit would be too large for one change, run `work` outside a unit
 */
export async function asOneChange<T>(api: FhirContext, actor: Actor, entries: BundleEntry[], work: (tx: FhirContext) => Promise<T>, opts: { split?: boolean } = {}): Promise<T> {
  try {
    return await api.registry.atomically(actor, (tx) => work({ ...api, registry: tx }), { prefetch: patientsOf(entries) });
  } catch (err) {
    if (!opts.split || !isMediatorError(err) || err.code !== 'too-large') throw err;
    return work(api);
  }
}
