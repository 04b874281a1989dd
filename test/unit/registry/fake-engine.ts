/**
 * A tiny deterministic matching engine for registry tests: three demographic fields (family, given,
 * birth date) plus national ids under `urn:nid`. Probabilities are fixed per number of agreeing
 * fields so tests can aim at each decision band; model version `strict` lowers them (re-link tests).
 */
import type { Patient } from 'fhir/r4';
import type { MatchFeatures, MatchingEngine, MatchModel, MatchResult } from '../../../src/registry/matching/contract';

export const NID = 'urn:nid';

/** A model the fake engine accepts. */
export function fakeModel(version = 'fake-1'): MatchModel {
  return { version, createdAt: '2026-01-01T00:00:00.000Z', trainedBy: { method: 'default' }, lambda: 0.001, fields: {} };
}

function extract(p: Patient): MatchFeatures {
  const name = p.name?.[0];
  const ids = (p.identifier ?? []).filter((i) => i.system && i.value).map((i) => `${i.system as string}|${i.value as string}`);
  const f: MatchFeatures = {
    given: (name?.given ?? []).map((g) => g.toUpperCase()),
    family: name?.family ? [name.family.toUpperCase()] : [],
    givenPhonetic: [],
    familyPhonetic: [],
    phones: (p.telecom ?? []).map((t) => t.value ?? '').filter((v) => v),
    nationalIds: ids.filter((i) => i.startsWith(`${NID}|`)),
    otherIds: [],
    rejected: [],
  };
  if (p.birthDate) {
    const [y, m, d] = p.birthDate.split('-').map(Number);
    f.birthDate = { year: y as number, ...(m ? { month: m } : {}), ...(d ? { day: d } : {}) };
  }
  if (p.gender) {
    f.gender = p.gender;
  }
  return f;
}

function compare(a: MatchFeatures, b: MatchFeatures, model: MatchModel): MatchResult {
  const agree = [
    a.family[0] !== undefined && a.family[0] === b.family[0],
    a.given[0] !== undefined && a.given[0] === b.given[0],
    a.birthDate !== undefined && JSON.stringify(a.birthDate) === JSON.stringify(b.birthDate),
  ].filter((x) => x).length;
  const table = model.version === 'strict' ? [0.01, 0.05, 0.3, 0.5] : [0.01, 0.1, 0.8, 0.99];
  const probability = table[agree] as number;
  const shared = a.nationalIds.some((i) => b.nationalIds.includes(i));
  const conflict = !shared && a.nationalIds.length > 0 && b.nationalIds.length > 0;
  return {
    weight: Math.log2(probability / (1 - probability)),
    probability,
    fields: [{ field: 'agree', level: String(agree), weight: agree }],
    identifierRule: shared ? 'same' : conflict ? 'conflict' : 'none',
  };
}

/** The fake engine. */
export const fakeEngine: MatchingEngine = {
  extractFeatures: (p) => extract(p),
  blockingKeys: (f) => [
    ...(f.family[0] ? [`fam:${f.family[0]}`] : []),
    ...(f.birthDate ? [`dob:${JSON.stringify(f.birthDate)}`] : []),
    ...f.nationalIds.map((i) => `id:${i}`),
  ],
  compare,
  weight: (a, b, model) => compare(a, b, model).weight,
};
