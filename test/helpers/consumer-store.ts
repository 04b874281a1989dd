/**
 * What the FHIR store consumer example left in a store, as identities comparable with the MPI's
 * (identity-mirror.ts): the store's meta and the example's MPI-version extension removed.
 */
import type { Patient } from 'fhir/r4';
import { MPI_VERSION_URL } from '../../examples/fhir-store-consumer/src/apply';
import type { FhirStoreServer } from './fhir-store-server';

/** The store's Patients without the store's meta and the consumer's bookkeeping extension. */
export function storeIdentities(store: FhirStoreServer): Map<string, Patient> {
  const out = new Map<string, Patient>();
  for (const [id, r] of store.all('Patient')) {
    const { meta: _meta, extension, ...rest } = r as unknown as Patient & { extension?: Array<{ url: string }> };
    const kept = (extension ?? []).filter((x) => x.url !== MPI_VERSION_URL);
    out.set(id, { ...(rest as Patient), ...(kept.length > 0 ? { extension: kept } : {}) });
  }
  return out;
}
