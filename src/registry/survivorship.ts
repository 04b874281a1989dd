/**
 * Survivorship: the golden Patient is a pure function of its linked sources (plus steward edits).
 * Per field, candidates are the sources with a non-empty value, ranked by source trust (config order),
 * then most recent (`receivedAt`), then how many sources carry the same value, then key (determinism).
 * Identifiers and telecoms are unions. Steward patches win over everything.
 */
import type { Identifier, Patient, PatientLink } from 'fhir/r4';
import type { MemberSnapshot, StoredGolden } from './store';

/** What survivorship reads of each linked source (a golden record's member snapshot). */
type Contributor = Pick<MemberSnapshot, 'key' | 'id' | 'sourceSystem' | 'receivedAt' | 'patient'>;

/** Survivorship configuration. */
export interface SurvivorshipConfig {
  /** Source systems, most trusted first; unknown systems rank after all listed ones. */
  trust: string[];
  /** Identifier system of MPI IDs, added to every golden Patient. */
  mpiSystem: string;
}

type SingleField = 'name' | 'gender' | 'birthDate' | 'address' | 'deceasedBoolean' | 'deceasedDateTime' | 'maritalStatus' | 'multipleBirthBoolean' | 'multipleBirthInteger' | 'communication';
const SINGLE_FIELDS: SingleField[] = ['name', 'gender', 'birthDate', 'address', 'deceasedBoolean', 'deceasedDateTime', 'maritalStatus', 'multipleBirthBoolean', 'multipleBirthInteger', 'communication'];

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

function pickField(field: SingleField, sources: Contributor[], rank: (s: Contributor) => number): unknown {
  const withValue = sources.filter((s) => !isEmpty(s.patient[field]));
  if (withValue.length === 0) {
    return undefined;
  }
  const freq = new Map<string, number>();
  for (const s of withValue) {
    const k = JSON.stringify(s.patient[field]);
    freq.set(k, (freq.get(k) ?? 0) + 1);
  }
  const f = (s: Contributor): number => freq.get(JSON.stringify(s.patient[field])) ?? 0;
  const sorted = [...withValue].sort(
    (a, b) => rank(a) - rank(b) || (a.receivedAt === b.receivedAt ? 0 : a.receivedAt > b.receivedAt ? -1 : 1) || f(b) - f(a) || (a.key < b.key ? -1 : 1),
  );
  return structuredClone(sorted[0]?.patient[field]);
}

function unionBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const t of items) {
    const k = key(t);
    if (!seen.has(k)) {
      seen.set(k, t);
    }
  }
  return [...seen.values()];
}

/**
 * Compute the golden Patient.
 * @param golden - the golden record (mpiId, status, steward patch, extra identifiers)
 * @param sources - its linked, active source records
 * @param cfg - trust order and MPI identifier system
 */
export function computeGoldenPatient(golden: Pick<StoredGolden, 'mpiId' | 'status' | 'mergedInto' | 'stewardPatch' | 'extraIdentifiers'>, sources: Contributor[], cfg: SurvivorshipConfig): Patient {
  const rank = (s: Contributor): number => {
    const i = cfg.trust.indexOf(s.sourceSystem);
    return i < 0 ? cfg.trust.length : i;
  };
  const patient: Patient = { resourceType: 'Patient', id: golden.mpiId };
  const mpiIdentifier: Identifier = { system: cfg.mpiSystem, value: golden.mpiId, use: 'official' };
  const identifiers = unionBy(
    [mpiIdentifier, ...golden.extraIdentifiers.map((i) => ({ system: i.system, value: i.value })), ...sources.flatMap((s) => s.patient.identifier ?? [])],
    (i) => `${i.system ?? ''}|${i.value ?? ''}`,
  );
  patient.identifier = structuredClone(identifiers);
  patient.active = golden.status === 'active';
  const record = patient as unknown as Record<string, unknown>;
  for (const field of SINGLE_FIELDS) {
    const v = pickField(field, sources, rank);
    if (v !== undefined) {
      record[field] = v;
    }
  }
  const telecom = unionBy(sources.flatMap((s) => s.patient.telecom ?? []), (t) => `${t.system ?? ''}|${t.value ?? ''}`);
  if (telecom.length > 0) {
    patient.telecom = structuredClone(telecom);
  }
  const links: PatientLink[] = [...sources]
    .sort((a, b) => (a.key < b.key ? -1 : 1))
    .map((s) => ({ other: { reference: `Patient/${s.id}` }, type: 'seealso' }));
  if (golden.mergedInto) {
    links.unshift({ other: { reference: `Patient/${golden.mergedInto}` }, type: 'replaced-by' });
  }
  if (links.length > 0) {
    patient.link = links;
  }
  if (golden.stewardPatch) {
    Object.assign(record, structuredClone(golden.stewardPatch), { resourceType: 'Patient', id: golden.mpiId });
  }
  return patient;
}
