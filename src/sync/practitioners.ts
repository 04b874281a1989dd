/**
 * Taking in health workers (iHRIS): a Practitioner goes to the practitioner registry, linked to the
 * Patient golden record of the same person when matching says so with certainty (the
 * `practitioner-patient` extension the FHIR API shows), and every change is published on the
 * practitioner topic — the Practitioner, or a PractitionerRole (job, facility) keyed by its health
 * worker. A Practitioner's event is written by the practitioner store with the new version (one
 * document write, nothing lost to a crash); a role's event id is derived from its content, so the
 * same role offered again publishes nothing and one lost to a crash is written on the next delivery.
 */
import { createHash } from 'node:crypto';
import type { Patient, Practitioner, PractitionerRole } from 'fhir/r4';
import { buildFhirMessage } from '../core/fhir-message';
import { uuidFrom } from '../core/ids';
import type { Actor, OutboxEvent } from '../core/types';
import { PRACTITIONER_PATIENT_URL } from '../practitioners/port';
import type { PractitionerStore } from '../practitioners/port';
import type { RegistryService } from '../registry/api';
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

/**
 * The event of a PractitionerRole as received, keyed by its health worker; its id comes from the
 * content, so the same role offered again publishes nothing.
 */
function roleEvent(r: PractitionerRole & { id: string }, key: string, at: string, transactionId: string | undefined): OutboxEvent {
  // A UUID (a valid FHIR id and ce_id, whatever the length of iHRIS's ids) drawn from the content.
  const id = uuidFrom(`${r.id}:${contentHash(r)}`);
  const type = 'org.passerelle.practitioner.role-changed';
  const payload = buildFhirMessage({ id, type, time: at, sourceEndpoint: 'urn:passerelle:ihris', focus: r });
  return { id, topic: 'practitioner', key, subject: key, time: at, type, payload, ...(transactionId ? { transactionId } : {}) };
}

/**
 * Health-worker ingestion.
 * @param deps - practitioner store, events, registry, clock
 */
export function practitionerIngest(deps: PractitionerIngestDeps): PractitionerIngest {
  async function practitioner(p: Practitioner & { id: string }, ownSystem: string | undefined, actor: Actor): Promise<RecordOutcome['status']> {
    const linked = await withPatientLink(deps.registry, p, ownSystem);
    const stored = await deps.store.get(p.id);
    if (stored !== null && contentHash(stored) === contentHash(linked)) return 'unchanged';
    // The store writes the new version and its practitioner event in one document write.
    await deps.store.upsert(linked, actor);
    return stored ? 'updated' : 'created';
  }

  async function role(r: PractitionerRole & { id: string }, actor: Actor): Promise<RecordOutcome['status']> {
    const worker = r.practitioner?.reference?.split('/')[1] ?? r.id;
    const ev = roleEvent(r, worker, deps.now().toISOString(), actor.transactionId);
    return (await deps.events.add(ev)) ? 'updated' : 'unchanged';
  }

  return {
    async ingest(items, actor: Actor) {
      const out: Array<RecordOutcome['status']> = [];
      for (const { record, resource } of items) {
        const res = resource as unknown as (Practitioner | PractitionerRole) & { id: string };
        out.push(res.resourceType === 'Practitioner' ? await practitioner(res, record.sourceIdentifier?.system, actor) : await role(res, actor));
      }
      return out;
    },
  };
}
