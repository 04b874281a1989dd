/**
 * PIXm ITI-83 `Patient/$ihe-pix` (and the `$cross-reference` alias): the identifiers and Patient
 * references of one person in the requested domains. Errors follow the profile exactly:
 * 400 unknown source domain, 403 unknown target domain, 404 identifier not found.
 */
import type { Identifier, Parameters, ParametersParameter } from 'fhir/r4';
import { MediatorError } from '../../core/errors';
import type { GoldenRecord, SourceRecord } from '../../registry/api';
import { allOk } from '../outcomes';
import { parseToken } from '../search/token';
import type { FhirContext, FhirHandler, FhirRequest, FhirResult } from '../types';
import { findGolden } from '../patient/resolve';
import { identifierKey } from '../../core/types';

function pixError(code: 'invalid' | 'forbidden' | 'not-found', diagnostics: string): MediatorError {
  const issueCode = code === 'not-found' ? 'not-found' : 'code-invalid';
  return new MediatorError(code, diagnostics, { issueCode });
}

async function sourceGolden(api: FhirContext, raw: string | undefined): Promise<{ system: string; value: string; golden: GoldenRecord }> {
  const t = raw === undefined ? undefined : parseToken(raw);
  if (!t?.system || !t.value) throw pixError('invalid', 'sourceIdentifier must be system|value');
  if (t.system === api.baseUrl && t.value.startsWith('Patient/')) {
    const id = t.value.slice('Patient/'.length);
    const source = await api.registry.getSourceById(id);
    const found = await findGolden(api.registry, source?.goldenId ?? id);
    if (!found) throw pixError('not-found', 'sourceIdentifier Patient Identifier not found');
    return { system: t.system, value: t.value, golden: found.golden };
  }
  if (!(await api.domains.isKnown(t.system))) throw pixError('invalid', 'sourceIdentifier Assigning Authority not found');
  const golden = await api.registry.resolveIdentifier({ system: t.system, value: t.value });
  if (!golden) throw pixError('not-found', 'sourceIdentifier Patient Identifier not found');
  return { system: t.system, value: t.value, golden };
}

async function checkTargets(api: FhirContext, targets: string[]): Promise<void> {
  for (const t of targets) {
    if (!(await api.domains.isKnown(t))) throw pixError('forbidden', 'targetSystem not found');
  }
}

function collectIdentifiers(golden: GoldenRecord, sources: SourceRecord[]): Identifier[] {
  const seen = new Map<string, Identifier>();
  for (const i of [...(golden.patient.identifier ?? []), ...sources.flatMap((s) => s.patient.identifier ?? [])]) {
    if (!i.system || !i.value) continue;
    const key = identifierKey({ system: i.system, value: i.value });
    if (!seen.has(key)) seen.set(key, { use: i.use, type: i.type, system: i.system, value: i.value });
  }
  return [...seen.values()].map((i) => Object.fromEntries(Object.entries(i).filter(([, v]) => v !== undefined)) as Identifier);
}

/** The PIXm query handler. */
export const pixQuery: FhirHandler = async (req: FhirRequest, api: FhirContext): Promise<FhirResult> => {
  const sourceIds = req.query.sourceIdentifier ?? [];
  if (sourceIds.length !== 1) throw pixError('invalid', 'Exactly one sourceIdentifier is required');
  const targets = (req.query.targetSystem ?? []).flatMap((t) => t.split(',')).filter((t) => t);
  const src = await sourceGolden(api, sourceIds[0]);
  await checkTargets(api, targets);
  const sources = (await api.registry.getSources(src.golden.sourceKeys)).filter((s) => s.active);
  const inTarget = (system: string | undefined): boolean => targets.length === 0 || (system !== undefined && targets.includes(system));
  const parameter: ParametersParameter[] = [];
  for (const i of collectIdentifiers(src.golden, sources)) {
    if (!(i.system === src.system && i.value === src.value) && inTarget(i.system)) parameter.push({ name: 'targetIdentifier', valueIdentifier: i });
  }
  for (const s of sources) {
    if (inTarget(s.system)) parameter.push({ name: 'targetId', valueReference: { reference: `Patient/${s.id}` } });
  }
  const mpiSystem = (src.golden.patient.identifier ?? []).find((i) => i.value === src.golden.mpiId)?.system;
  if (targets.length === 0 || (mpiSystem !== undefined && targets.includes(mpiSystem))) {
    parameter.push({ name: 'targetId', valueReference: { reference: `Patient/${src.golden.mpiId}` } });
  }
  const body: Parameters = { resourceType: 'Parameters', ...(parameter.length > 0 ? { parameter } : {}) };
  return [allOk(), body];
};
