/**
 * Translation between the MPI API's flat JSON and FHIR Patients / registry records.
 */
import { randomUUID } from 'node:crypto';
import type { Identifier, Patient } from 'fhir/r4';
import type { FieldComparison } from '../registry/matching/contract';
import type { z } from 'zod';
import type { Actor } from '../core/types';
import type { GoldenRecord, MatchCandidate, SourceRecord } from '../registry/api';
import type { IdentityView, MatchBody, PatchBody, sourceView } from './schemas';

/** System of the identifier given to a record registered through this API. */
export const API_SOURCE_SYSTEM = 'urn:passerelle:api';

const GENDER_TO_FHIR = { M: 'male', F: 'female', U: 'unknown' } as const;
const GENDER_FROM_FHIR: Record<string, 'M' | 'F' | 'U'> = { male: 'M', female: 'F', unknown: 'U', other: 'U' };

/**
 * The system URI of an identifier type: URIs pass through, short names are looked up.
 * @param key - an `external_ids` key or `program`
 * @param systems - configured short names
 */
export function systemOf(key: string, systems: Record<string, string>): string {
  if (key.includes(':')) return key;
  return systems[key] ?? `urn:passerelle:id:${key}`;
}

type Demographics = Omit<MatchBody, 'limit'> & { external_ids?: Record<string, string> };

/**
 * A FHIR Patient from MPI demographics.
 * @param d - the request fields
 * @param systems - identifier short names
 * @param ownId - the record's own identifier (a new one for registrations)
 */
export function toPatient(d: Demographics, systems: Record<string, string>, ownId?: Identifier): Patient {
  const identifier: Identifier[] = [
    ...(ownId ? [ownId] : []),
    ...Object.entries(d.external_ids ?? {}).map(([k, value]) => ({ system: systemOf(k, systems), value })),
  ];
  const patient: Patient = { resourceType: 'Patient', active: true };
  if (identifier.length > 0) patient.identifier = identifier;
  if (d.first_name || d.last_name) patient.name = [{ use: 'official', ...(d.last_name ? { family: d.last_name } : {}), ...(d.first_name ? { given: [d.first_name] } : {}) }];
  if (d.date_of_birth) patient.birthDate = d.date_of_birth;
  if (d.gender) patient.gender = GENDER_TO_FHIR[d.gender];
  if (d.phone_number) patient.telecom = [{ system: 'phone', value: d.phone_number }];
  if (d.region_code || d.country_code) patient.address = [{ ...(d.region_code ? { state: d.region_code } : {}), ...(d.country_code ? { country: d.country_code } : {}) }];
  return patient;
}

/** A new identifier for a record registered through the API. */
export function newApiIdentifier(): Identifier {
  return { system: API_SOURCE_SYSTEM, value: randomUUID() };
}

/**
 * The partial Patient for a steward edit.
 * @param patch - the PATCH body
 */
export function toPatientPatch(patch: PatchBody): Partial<Patient> {
  const full = toPatient(patch, {});
  const { resourceType: _r, active: _a, ...rest } = full;
  return rest;
}

/**
 * The flat demographics of a FHIR Patient.
 * @param p - the Patient
 */
export function demographicsOf(p: Patient): Partial<IdentityView> {
  const name = p.name?.find((n) => n.use === 'official') ?? p.name?.[0];
  const out: Partial<IdentityView> = {};
  if (name?.given?.[0]) out.first_name = name.given[0];
  if (name?.family) out.last_name = name.family;
  if (p.birthDate) out.date_of_birth = p.birthDate;
  if (p.gender) out.gender = GENDER_FROM_FHIR[p.gender];
  const phone = p.telecom?.find((t) => t.system === 'phone')?.value;
  if (phone) out.phone_number = phone;
  const addr = p.address?.[0];
  if (addr?.state ?? addr?.district) out.region_code = addr.state ?? addr.district;
  if (addr?.country) out.country_code = addr.country;
  out.external_ids = (p.identifier ?? []).filter((i) => i.system && i.value).map((i) => ({ system: i.system as string, value: i.value as string }));
  return out;
}

/**
 * A golden record as the API shows it.
 * @param g - the golden record
 * @param redirectedFrom - the merged MPI ID that was asked for, if any
 */
export function identityOf(g: GoldenRecord, redirectedFrom?: string): IdentityView {
  return {
    mpi_id: g.mpiId, status: g.status, version: g.version,
    ...demographicsOf(g.patient),
    external_ids: demographicsOf(g.patient).external_ids ?? [],
    source_count: g.sourceKeys.length, created_at: g.createdAt, updated_at: g.updatedAt,
    ...(g.mergedInto ? { merged_into: g.mergedInto } : {}),
    ...(redirectedFrom ? { redirected_from: redirectedFrom } : {}),
  };
}

/**
 * Who acted, as the API shows it: the client, and the person when the client acted for one.
 * @param actor - the recorded actor
 */
export function whoOf(actor: Actor): { client_id: string; user_id?: string } {
  return { client_id: actor.clientId, ...(actor.userId ? { user_id: actor.userId } : {}) };
}

/**
 * A source record linked to a golden record, as a steward compares it.
 * @param s - the source record
 */
export function sourceViewOf(s: SourceRecord): z.infer<typeof sourceView> {
  return {
    ...demographicsOf(s.patient), source_system: s.sourceSystem, system: s.system, value: s.value, active: s.active,
    link: s.linkState, ...(s.linkScore !== undefined ? { link_score: round(s.linkScore) } : {}), updated_at: s.updatedAt,
  };
}

/**
 * Fields that agreed (positive weight) in a comparison.
 * @param explanation - per-field comparisons
 */
export function matchedFields(explanation: FieldComparison[]): string[] {
  return explanation.filter((f) => f.weight > 0).map((f) => f.field);
}

/**
 * One candidate of `POST /mpi/match`.
 * @param c - the registry's candidate
 */
export function candidateView(c: MatchCandidate): { mpi_id: string; score: number; grade: string; confidence: string; matched_fields: string[]; field_weights: FieldComparison[] } {
  const confidence = c.grade === 'certain' ? 'high' : c.grade === 'probable' ? 'medium' : 'low';
  return { mpi_id: c.mpiId, score: round(c.score), grade: c.grade, confidence, matched_fields: matchedFields(c.explanation), field_weights: c.explanation.map((f) => ({ ...f, weight: round(f.weight) })) };
}

/**
 * Round a score for the wire.
 * @param n - a number
 */
export function round(n: number): number {
  return Math.round(n * 10000) / 10000;
}
