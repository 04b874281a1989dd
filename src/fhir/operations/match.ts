/**
 * `Patient/$match` (http://hl7.org/fhir/R4/patient-operation-match.html): score a Patient against
 * the registry without writing. Entries are golden records, most likely first, with `search.score`,
 * the HL7 `match-grade` extension and a per-field explanation of the registry's decision.
 */
import type { Bundle, BundleEntry, Extension, Parameters, Patient } from 'fhir/r4';
import { MediatorError } from '../../core/errors';
import type { MatchCandidate } from '../../registry/api';
import { MATCH_EXPLANATION_URL, MATCH_GRADE_URL } from '../extensions';
import { allOk } from '../outcomes';
import { presentGolden } from '../patient/present';
import type { PatientValidator } from '../patient/write';
import type { FhirContext, FhirHandler, FhirRequest, FhirResult } from '../types';

interface MatchInput {
  patient: unknown;
  onlyCertainMatches: boolean;
  count?: number;
}

function readInput(body: unknown): MatchInput {
  const b = body as { resourceType?: string } | undefined;
  if (b?.resourceType === 'Patient') return { patient: b, onlyCertainMatches: false };
  if (b?.resourceType !== 'Parameters') throw new MediatorError('invalid', '$match expects a Parameters resource (or a Patient)');
  const params = (b as Parameters).parameter ?? [];
  const resource = params.filter((p) => p.name === 'resource');
  if (resource.length !== 1) throw new MediatorError('invalid', '$match needs exactly one resource parameter', { expression: 'resource' });
  const count = params.find((p) => p.name === 'count')?.valueInteger;
  if (count !== undefined && (!Number.isInteger(count) || count < 1)) throw new MediatorError('invalid', 'count must be a positive integer', { expression: 'count' });
  const only = params.find((p) => p.name === 'onlyCertainMatches');
  return { patient: resource[0]?.resource, onlyCertainMatches: only?.valueBoolean === true, count };
}

function explanation(c: MatchCandidate): Extension {
  return {
    url: MATCH_EXPLANATION_URL,
    extension: [
      { url: 'weight', valueDecimal: round(c.weight) },
      ...c.explanation.map((f) => ({ url: 'field', extension: [{ url: 'name', valueString: f.field }, { url: 'level', valueString: f.level }, { url: 'weight', valueDecimal: round(f.weight) }] })),
    ],
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function checkProbe(p: Patient): void {
  const usable = (p.name?.length ?? 0) + (p.identifier?.length ?? 0) + (p.telecom?.length ?? 0) + (p.birthDate ? 1 : 0);
  if (usable === 0) throw new MediatorError('invalid', 'The Patient needs at least a name, identifier, telecom or birthDate to match on', { expression: 'resource' });
}

/**
 * The $match handler.
 * @param validate - the Patient validator
 */
export function matchPatients(validate: PatientValidator): FhirHandler {
  return async (req: FhirRequest, api: FhirContext): Promise<FhirResult> => {
    const input = readInput(req.body);
    const probe = validate(input.patient);
    checkProbe(probe);
    const count = Math.min(input.count ?? 10, api.maxCount);
    let candidates = await api.registry.match(probe, { count });
    if (candidates.length === 0 && api.onMatchMiss && (await api.onMatchMiss(probe, req.actor, req.orchestrations))) {
      candidates = await api.registry.match(probe, { count });
    }
    if (input.onlyCertainMatches) {
      const certain = candidates.filter((c) => c.grade === 'certain');
      candidates = certain.length === 1 ? certain : [];
    }
    const entry: BundleEntry[] = await Promise.all(
      candidates.slice(0, count).map(async (c) => ({
        fullUrl: `${api.baseUrl}/Patient/${c.mpiId}`,
        resource: await presentGolden(api.registry, c.golden),
        search: { mode: 'match' as const, score: round(c.score), extension: [{ url: MATCH_GRADE_URL, valueCode: c.grade }, explanation(c)] },
      })),
    );
    const bundle: Bundle = { resourceType: 'Bundle', id: crypto.randomUUID(), type: 'searchset', total: entry.length, ...(entry.length > 0 ? { entry } : {}) };
    return [allOk(), bundle];
  };
}
