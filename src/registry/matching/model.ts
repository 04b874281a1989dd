/**
 * Fellegi–Sunter models: the default (pre-training) parameters, versioning, and compilation into
 * per-level weight arrays the scoring loop can index directly.
 */
import { createHash } from 'node:crypto';
import { FIELDS, FIELD_LEVELS } from './comparators';
import type { FieldName } from './comparators';
import { checkDigitBit } from './check-digits';
import type { MatchModel } from './contract';

/**
 * Default m/u per level (same order as FIELD_LEVELS, `null` first and ignored). Agreement weights
 * follow JeMPI's shipped values (given ≈ 8 bits, family ≈ 10, DOB ≈ 14, phone and national id ≈ 20)
 * and Splink's level structure; they are only a starting point for EM.
 */
const DEFAULTS: Record<FieldName, { m: number[]; u: number[] }> = {
  given: { m: [0, 0.8, 0.08, 0.02, 0.03, 0.02, 0.03, 0.02], u: [0, 0.003, 0.002, 0.0005, 0.003, 0.005, 0.05, 0.9365] },
  family: { m: [0, 0.83, 0.07, 0.02, 0.02, 0.02, 0.02, 0.02], u: [0, 0.001, 0.0008, 0.0005, 0.002, 0.003, 0.03, 0.9627] },
  birthDate: {
    m: [0, 0.82, 0.02, 0.06, 0.01, 0.03, 0.02, 0.04],
    u: [0, 0.00004, 0.000004, 0.0015, 0.001, 0.012, 0.025, 0.960456],
  },
  gender: { m: [0, 0.96, 0.04], u: [0, 0.5, 0.5] },
  // One edit apart is weak evidence before training: sequential allocation (family phone plans,
  // national IDs issued the same day) makes near-identical numbers common among different people.
  phone: { m: [0, 0.84, 0.03, 0.13], u: [0, 0.000001, 0.002, 0.997999] },
  nationalId: { m: [0, 0.9, 0.06, 0.04], u: [0, 0.000001, 0.002, 0.997999] },
  otherId: { m: [0, 0.9, 0.06, 0.04], u: [0, 0.000001, 0.002, 0.997999] },
  postcode: { m: [0, 0.85, 0.08, 0.07], u: [0, 0.01, 0.05, 0.94] },
  city: { m: [0, 0.8, 0.1, 0.1], u: [0, 0.03, 0.01, 0.96] },
  state: { m: [0, 0.9, 0.1], u: [0, 0.25, 0.75] },
  address: { m: [0, 0.7, 0.2, 0.06, 0.04], u: [0, 0.0001, 0.0005, 0.02, 0.9794] },
  email: { m: [0, 0.8, 0.1, 0.1], u: [0, 0.00001, 0.001, 0.99899] },
};

/** Default prior: about one true pair per 10,000 random pairs (Splink's default). */
export const DEFAULT_LAMBDA = 0.0001;

/**
 * A stable version string for a model: a short hash of everything that affects scores.
 * @param model - the model without its version
 * @returns e.g. `fs-3f2a9c1b7d`
 */
export function modelVersion(model: Omit<MatchModel, 'version' | 'createdAt'>): string {
  const hash = createHash('sha256');
  // Keys added later enter the hash only when present, so older models keep their versions.
  const household = model.householdLambda === undefined ? {} : { hl: model.householdLambda, tl: model.twinLambda ?? null };
  const ids = model.identifierSystems === undefined ? {} : { ids: model.identifierSystems };
  hash.update(JSON.stringify({ l: model.lambda, f: model.fields, t: model.termFrequencies ?? null, ...household, ...ids }));
  return `fs-${hash.digest('hex').slice(0, 12)}`;
}

/**
 * The model used before any training: JeMPI/Splink-like m and u per level.
 * @returns a versioned default model
 */
export function defaultModel(): MatchModel {
  const fields: MatchModel['fields'] = {};
  for (const f of FIELDS) fields[f] = { levels: [...FIELD_LEVELS[f]], m: [...DEFAULTS[f].m], u: [...DEFAULTS[f].u] };
  const base = { trainedBy: { method: 'default' as const }, lambda: DEFAULT_LAMBDA, fields };
  return { ...base, version: modelVersion(base), createdAt: '1970-01-01T00:00:00.000Z' };
}

/** A model turned into arrays indexed by field and level. */
export interface CompiledModel {
  /** log2(m/u) per field per level; 0 for null and for levels the model does not know. */
  weights: Float64Array[];
  /** log2(h/u) per field per level: how much more a household pair than an unrelated pair shows the level (0 without a household class). */
  householdWeights: Float64Array[];
  /** log2(t/u) per field per level, for twins. */
  twinWeights: Float64Array[];
  /** m of the exact level per field (for the term-frequency adjustment). */
  exactM: Float64Array;
  /** u of the exact level per field. */
  exactU: Float64Array;
  /** Term-frequency tables for given and family names. */
  tf: { given?: Map<string, number>; family?: Map<string, number> };
  /** Smallest frequency used, so an unseen name is treated as rare but not infinitely rare. */
  tfMinimum: number;
  /** log2(λ/(1−λ)). */
  prior: number;
  /** Share of the non-matching pairs that are household (non-twin) pairs; 0 without a household class. */
  householdShare: number;
  /** Share of the non-matching pairs that are twins. */
  twinShare: number;
  /** log2 of the two shares (−∞ when 0). */
  log2HouseholdShare: number;
  log2TwinShare: number;
  /** log2(1 − householdShare − twinShare): the household term of a pair with no household evidence. */
  log2Unrelated: number;
  /** Identifier systems training judged unreliable. */
  unreliableSystems: Set<string>;
  /** Check-digit bit per identifier system that has one. */
  checkBits: Map<string, number>;
}

const compiled = new WeakMap<MatchModel, CompiledModel>();
const PROBABILITY_FLOOR = 1e-9;

/** Level names models stored before a rename still carry. */
const FORMER_NAMES: Readonly<Record<string, string>> = { alias: 'nickname' };

function levelIndex(stored: string[], level: string): number {
  const j = stored.indexOf(level);
  const former = FORMER_NAMES[level];
  return j >= 0 || former === undefined ? j : stored.indexOf(former);
}

function levelWeights(field: FieldName, spec: MatchModel['fields'][string] | undefined, over: 'm' | 'h' | 't'): Float64Array {
  const levels = FIELD_LEVELS[field];
  const w = new Float64Array(levels.length);
  const top = spec?.[over];
  if (!spec || !top) return w;
  for (let i = 1; i < levels.length; i++) {
    const j = levelIndex(spec.levels, levels[i] as string);
    if (j < 0) continue;
    const x = Math.max(top[j] ?? 0, PROBABILITY_FLOOR);
    const u = Math.max(spec.u[j] ?? 0, PROBABILITY_FLOOR);
    w[i] = Math.log2(x / u);
  }
  return w;
}

/**
 * Keep agreement from ever lowering a score (the property the tests hold the scorer to): exact
 * agreement never weighs below 0, and separates a match from a household pair or twins (m/h, m/t)
 * at least as well as any other level does. Where EM left a level out of line — mostly levels almost
 * never seen, whose m and h are both smoothing — that level's household weight is raised to the
 * line; exact agreement's own household weight is only lowered where it exceeds the match weight.
 */
function monotone(a: Float64Array, related: Float64Array[]): void {
  if (a.length < 2) return;
  a[1] = Math.max(a[1] as number, 0);
  for (const b of related) {
    b[1] = Math.min(b[1] as number, a[1]);
    const separation = (a[1]) - (b[1]);
    for (let l = 2; l < a.length; l++) b[l] = Math.max(b[l] as number, (a[l] as number) - separation);
  }
}

/**
 * A town's agreement stands in for its state's (comparators.ts does not compare states of agreeing
 * towns), so it must count at least as much as the state's alone, and separate a match from the
 * household classes at least as well.
 */
function townCoversState(a: Float64Array[], related: Float64Array[][]): void {
  const city = FIELDS.indexOf('city');
  const state = FIELDS.indexOf('state');
  const ac = a[city] as Float64Array;
  const as = a[state] as Float64Array;
  ac[1] = Math.max(ac[1] as number, as[1] as number);
  for (const b of related) {
    const bc = b[city] as Float64Array;
    const bs = b[state] as Float64Array;
    bc[1] = Math.min(bc[1] as number, (ac[1]) - ((as[1] as number) - (bs[1] as number)));
  }
}

function toMap(table: Record<string, number> | undefined): Map<string, number> | undefined {
  return table ? new Map(Object.entries(table)) : undefined;
}

function identifierKnowledge(model: MatchModel): Pick<CompiledModel, 'unreliableSystems' | 'checkBits'> {
  const systems = Object.entries(model.identifierSystems ?? {});
  return {
    unreliableSystems: new Set(systems.filter(([, r]) => !r.reliable).map(([s]) => s)),
    checkBits: new Map(systems.flatMap(([s, r]) => (r.checkDigit ? [[s, checkDigitBit(r.checkDigit)] as const] : []))),
  };
}

function exactParameters(model: MatchModel): { exactM: Float64Array; exactU: Float64Array } {
  const exactM = new Float64Array(FIELDS.length);
  const exactU = new Float64Array(FIELDS.length);
  FIELDS.forEach((f, i) => {
    const spec = model.fields[f];
    const j = spec ? levelIndex(spec.levels, 'exact') : -1;
    exactM[i] = j >= 0 ? Math.max(spec?.m[j] ?? 0, PROBABILITY_FLOOR) : 1;
    exactU[i] = j >= 0 ? Math.max(spec?.u[j] ?? 0, PROBABILITY_FLOOR) : 1;
  });
  return { exactM, exactU };
}

/**
 * Compile a model (cached by object identity; models are immutable once built).
 * @param model - the model
 * @returns the compiled form
 */
export function compileModel(model: MatchModel): CompiledModel {
  let c = compiled.get(model);
  if (c !== undefined) return c;
  const tf = model.termFrequencies ?? {};
  const lambda = Math.min(Math.max(model.lambda, 1e-12), 1 - 1e-12);
  const share = (x: number | undefined): number => (x ? Math.min(Math.max(x / (1 - lambda), 0), 0.45) : 0);
  const householdShare = share(model.householdLambda);
  const twinShare = share(model.twinLambda);
  const weights = FIELDS.map((f) => levelWeights(f, model.fields[f], 'm'));
  const householdWeights = FIELDS.map((f) => levelWeights(f, model.fields[f], 'h'));
  const twinWeights = FIELDS.map((f) => levelWeights(f, model.fields[f], 't'));
  FIELDS.forEach((_, i) => monotone(weights[i] as Float64Array, [householdWeights[i] as Float64Array, twinWeights[i] as Float64Array]));
  townCoversState(weights, [householdWeights, twinWeights]);
  c = {
    weights, householdWeights, twinWeights, ...exactParameters(model),
    tf: { given: toMap(tf.given), family: toMap(tf.family) },
    tfMinimum: Number(tf._meta?.minimum ?? 1e-5),
    prior: Math.log2(lambda / (1 - lambda)),
    householdShare, twinShare,
    log2HouseholdShare: householdShare > 0 ? Math.log2(householdShare) : -Infinity,
    log2TwinShare: twinShare > 0 ? Math.log2(twinShare) : -Infinity,
    log2Unrelated: Math.log2(1 - householdShare - twinShare),
    ...identifierKnowledge(model),
  };
  compiled.set(model, c);
  return c;
}
