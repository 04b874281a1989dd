/**
 * Taking in health workers (iHRIS): a Practitioner goes to the practitioner registry, linked to the
 * Patient golden record of the same person when matching says so with certainty (the
 * `practitioner-patient` extension the FHIR API shows), and every change is published on the
 * practitioner topic — the Practitioner, or a PractitionerRole (job, facility) keyed by its health
 * worker. An event's id is derived from the content, so the same resource offered again publishes
 * nothing, and an event lost to a crash between the store write and the event is written on the
 * next delivery.
 */
import { createHash } from 'node:crypto';
import type { Bundle, Patient, Practitioner, PractitionerRole } from 'fhir/r4';
import type { Actor, OutboxEvent } from '../core/types';
import { PRACTITIONER_PATIENT_URL } from '../practitioners/port';
import type { PractitionerStore } from '../practitioners/port';
import type { RegistryService } from '../registry/ports';
import type { PractitionerIngest, RecordOutcome } from './ingest';
import type { ChannelEventStore } from './ports';

/** What health-worker ingestion uses. */
export interface PractitionerIngestDeps {
  store: PractitionerStore;
  events: ChannelEventStore;
  registry: RegistryService;
  now: () => Date;
}

function contentHash(resource: object): string {
  const { meta: _m, ...rest } = resource as { meta?: unknown };
  return createHash('sha256').update(JSON.stringify(rest)).digest('hex').slice(0, 32);
}

/** The person of a health worker as a Patient probe (their own iHRIS identifier left out). */
function probeOf(p: Practitioner, ownSystem: string | undefined): Patient {
  return {
    resourceType: 'Patient', name: p.name, gender: p.gender, birthDate: p.birthDate, telecom: p.telecom, address: p.address,
    identifier: (p.identifier ?? []).filter((i) => i.system !== ownSystem),
  };
}

async function withPatientLink(registry: RegistryService, p: Practitioner & { id: string }, ownSystem: string | undefined): Promise<Practitioner & { id: string }> {
  const others = (p.extension ?? []).filter((e) => e.url !== PRACTITIONER_PATIENT_URL);
  const [best] = await registry.match(probeOf(p, ownSystem), { count: 1 });
  const link = best?.grade === 'certain' ? [{ url: PRACTITIONER_PATIENT_URL, valueReference: { reference: `Patient/${best.mpiId}` } }] : [];
  const extension = [...others, ...link];
  const { extension: _e, ...rest } = p;
  return extension.length > 0 ? { ...rest, extension } : rest;
}

function event(kind: 'Practitioner' | 'PractitionerRole', id: string, key: string, created: boolean, resource: Practitioner | PractitionerRole, at: string): OutboxEvent {
  const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', timestamp: at, entry: [{ fullUrl: `${kind}/${id}`, resource }] };
  return {
    id: `${kind === 'Practitioner' ? 'practitioner' : 'practitioner-role'}-${id}-${contentHash(resource)}`, topic: 'practitioner', key, subject: key, time: at,
    type: `org.passerelle.practitioner.${kind === 'Practitioner' ? (created ? 'created' : 'updated') : 'role-changed'}`, payload: bundle,
  };
}

/**
 * Health-worker ingestion.
 * @param deps - practitioner store, events, registry, clock
 */
export function practitionerIngest(deps: PractitionerIngestDeps): PractitionerIngest {
  async function practitioner(p: Practitioner & { id: string }, ownSystem: string | undefined): Promise<RecordOutcome['status']> {
    const linked = await withPatientLink(deps.registry, p, ownSystem);
    const stored = await deps.store.get(p.id);
    const ev = event('Practitioner', p.id, p.id, stored === null, linked, deps.now().toISOString());
    const same = stored !== null && contentHash(stored) === contentHash(linked);
    if (same && (await deps.events.has(ev.id))) return 'unchanged';
    if (!same) await deps.store.upsert(linked);
    await deps.events.add(ev);
    return stored ? 'updated' : 'created';
  }

  async function role(r: PractitionerRole & { id: string }): Promise<RecordOutcome['status']> {
    const worker = r.practitioner?.reference?.split('/')[1] ?? r.id;
    const ev = event('PractitionerRole', r.id, worker, false, r, deps.now().toISOString());
    return (await deps.events.add(ev)) ? 'updated' : 'unchanged';
  }

  return {
    async ingest(items, _actor: Actor) {
      const out: Array<RecordOutcome['status']> = [];
      for (const { record, resource } of items) {
        const res = resource as unknown as (Practitioner | PractitionerRole) & { id: string };
        out.push(res.resourceType === 'Practitioner' ? await practitioner(res, record.sourceIdentifier?.system) : await role(res));
      }
      return out;
    },
  };
}
