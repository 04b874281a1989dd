/**
 * What a downstream consumer of the patient topic holds: every Patient of every event's history
 * Bundle, the newest version of each kept (meta.versionId), events deduplicated on `ce_id` — the
 * rules the README gives consumers and examples/fhir-store-consumer follows. `registryIdentities`
 * reads what the MPI holds, to compare the two.
 */
import type { Bundle, Patient } from 'fhir/r4';
import type { RegistryStore } from '../../src/registry/store';

/** One event as a consumer sees it. */
export interface MirroredEvent {
  id: string;
  type: string;
  payload: unknown;
}

/** The Patients of a patient event's history Bundle. */
export function historyPatients(payload: unknown): Patient[] {
  const message = payload as Bundle;
  const history = message.entry?.find((e) => e.resource?.resourceType === 'Bundle')?.resource as Bundle | undefined;
  return (history?.entry ?? []).map((e) => e.resource).filter((r): r is Patient => r?.resourceType === 'Patient');
}

/** A consumer's copy of the MPI's identities. */
export class IdentityMirror {
  readonly patients = new Map<string, Patient>();
  private readonly seen = new Set<string>();
  duplicates = 0;
  stale = 0;

  /** Apply one event; returns false when its `ce_id` was already applied. */
  apply(event: MirroredEvent): boolean {
    if (this.seen.has(event.id)) {
      this.duplicates += 1;
      return false;
    }
    this.seen.add(event.id);
    if (!event.type.startsWith('org.passerelle.patient.')) return true;
    for (const p of historyPatients(event.payload)) {
      const held = this.patients.get(p.id ?? '');
      if (held && Number(held.meta?.versionId ?? 0) >= Number(p.meta?.versionId ?? 0)) {
        this.stale += 1;
        continue;
      }
      this.patients.set(p.id ?? '', structuredClone(p));
    }
    return true;
  }
}

/** Every golden and source Patient the MPI holds now, by id (ids found through the history). */
export async function registryIdentities(store: RegistryStore): Promise<Map<string, Patient>> {
  const goldenIds = new Set<string>();
  const sourceIds = new Set<string>();
  for (let offset = 0; ; offset += 1000) {
    const page = await store.changes.allHistory({ offset, count: 1000 });
    for (const h of page.items) (h.kind === 'golden' ? goldenIds : sourceIds).add(h.id);
    if (page.items.length < 1000) break;
  }
  const out = new Map<string, Patient>();
  for (const g of await store.records.goldens([...goldenIds])) out.set(g.mpiId, g.patient);
  for (const id of sourceIds) {
    const s = await store.records.sourceById(id);
    if (s) out.set(s.id, s.patient);
  }
  return out;
}

/**
 * The ids whose Patient differs between the MPI and the mirror (missing on either side, or not equal).
 * `meta` is left out: a FHIR store sets its own, and a change that only records a steward decision
 * on a record (not-a-match) gives it a new version without changing the identity or emitting a
 * patient event.
 * @param mpi - registryIdentities()
 * @param mirror - the consumer's copy
 */
export function identityDifferences(mpi: Map<string, Patient>, mirror: Map<string, Patient>): string[] {
  const ids = new Set([...mpi.keys(), ...mirror.keys()]);
  return [...ids].filter((id) => JSON.stringify(identityOf(mpi.get(id))) !== JSON.stringify(identityOf(mirror.get(id)))).sort();
}

/**
 * A Patient as an identity: everything but `meta`, keys sorted.
 * @param p - a Patient, or undefined
 */
export function identityOf(p: Patient | undefined): unknown {
  if (!p) return null;
  const { meta: _meta, ...rest } = p;
  return canonical(rest);
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}
