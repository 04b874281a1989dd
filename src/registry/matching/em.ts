/**
 * Expectation–maximisation over comparison patterns: a latent-class model whose classes are the
 * kinds of pair a registry meets — 0 the same person, 1 two members of one household, 2 two
 * unrelated people. Within a class the fields are independent (each a multinomial over its levels;
 * the null level is missing-at-random and left out of the likelihood); the dependence between
 * fields that household members share (family name, phone, address, place) is what the household
 * class captures, as Winkler's three-class EM did for census households. A field can be tied across
 * classes (household members' given names and identifiers relate as strangers' do). Pairs are
 * aggregated into distinct level vectors first, so an iteration costs O(distinct patterns).
 */
import { FIELDS, FIELD_LEVELS } from './comparators';

/** Distinct level vectors with their counts. */
export interface PatternTable {
  levels: Int8Array[];
  counts: number[];
}

/** Per class: level probabilities per field (`theta[class][field][level]`) and the class's share. */
export interface EmParams {
  theta: number[][][];
  p: number[];
}

/** Structural constraints applied after every step. */
export interface EmConstraints {
  /**
   * [class, field, source, levels]: the field's distribution in the class is copied from the source
   * (another class, or a fixed distribution) — wholly, or only at the listed levels (the others keep
   * their learned proportions and share the rest).
   */
  ties: Array<readonly [number, number, number | readonly number[], (readonly number[])?]>;
  /** [class, field, levels, most]: those levels together hold at most this probability in the class. */
  caps: Array<readonly [number, number, readonly number[], number]>;
  /**
   * [class, field, source, levels, from]: each listed level holds at least the source distribution's
   * probability; what it gains is taken, in proportion, from the `from` levels. Keeps a small class
   * from collapsing a level to nothing, a level the class's structure says it shows at least as
   * often as the source does.
   */
  floors?: Array<readonly [number, number, readonly number[], readonly number[], readonly number[]]>;
  /** [class, of, ratio]: the class's share is at least this ratio of another class's share. */
  shareFloors?: Array<readonly [number, number, number]>;
  /** [class, field, levels]: the field's distribution in the class is fixed. */
  fixed: Array<readonly [number, number, readonly number[]]>;
}

const SMOOTHING = 1e-3;
const MIN_SHARE = 1e-6;

/**
 * Add a level vector to a pattern table.
 * @param table - the table
 * @param index - map from encoded vector to row
 * @param vector - field levels in FIELDS order
 */
export function addPattern(table: PatternTable, index: Map<string, number>, vector: Int32Array): void {
  let key = '';
  for (let i = 0; i < vector.length; i++) key += String.fromCharCode(48 + (vector[i] as number));
  const row = index.get(key);
  if (row !== undefined) {
    table.counts[row] = (table.counts[row] as number) + 1;
    return;
  }
  index.set(key, table.levels.length);
  table.levels.push(Int8Array.from(vector));
  table.counts.push(1);
}

/**
 * Class responsibilities of one pattern.
 * @param params - current parameters
 * @param levels - the pattern
 * @param skip - fields to leave out of the likelihood (e.g. identifiers), or undefined
 * @param out - receives one responsibility per class
 */
export function responsibilities(params: EmParams, levels: ArrayLike<number>, skip: ReadonlySet<number> | undefined, out: Float64Array): void {
  let max = -Infinity;
  for (let k = 0; k < params.p.length; k++) {
    let l = Math.log(params.p[k] as number);
    const theta = params.theta[k] as number[][];
    for (let f = 0; f < levels.length; f++) {
      const level = levels[f] as number;
      if (level === 0 || skip?.has(f)) continue;
      l += Math.log((theta[f] as number[])[level] as number);
    }
    out[k] = l;
    if (l > max) max = l;
  }
  let total = 0;
  for (let k = 0; k < params.p.length; k++) total += out[k] = Math.exp((out[k] as number) - max);
  for (let k = 0; k < params.p.length; k++) out[k] = (out[k] as number) / total;
}

function normalise(row: number[]): number[] {
  const total = row.reduce((s, x, i) => (i === 0 ? s : s + x + SMOOTHING), 0);
  return row.map((x, i) => (i === 0 ? 0 : total > 0 ? (x + SMOOTHING) / total : 1 / (row.length - 1)));
}

function zeros(classes: number): number[][][] {
  return Array.from({ length: classes }, () => FIELDS.map((f) => new Array<number>(FIELD_LEVELS[f].length).fill(0)));
}

/**
 * A distribution whose listed levels take the source's probabilities, the others keeping their
 * proportions in what remains.
 * @param row - the class's own distribution
 * @param source - the distribution the tied levels come from
 * @param tied - the tied levels
 */
export function tieLevels(row: number[], source: number[], tied: readonly number[]): number[] {
  const fixed = tied.reduce((sum, l) => sum + (source[l] as number), 0);
  const free = row.reduce((sum, x, l) => (l === 0 || tied.includes(l) ? sum : sum + x), 0);
  return row.map((x, l) => (l === 0 ? 0 : tied.includes(l) ? (source[l] as number) : free > 0 ? (x * (1 - fixed)) / free : (1 - fixed) / (row.length - 1 - tied.length)));
}

function applyCap(row: number[], capped: readonly number[], most: number): void {
  const held = capped.reduce((sum, l) => sum + (row[l] as number), 0);
  if (held <= most) return;
  const rest = 1 - held;
  for (let l = 1; l < row.length; l++) {
    row[l] = capped.includes(l) ? ((row[l] as number) * most) / held : rest > 0 ? ((row[l] as number) * (1 - most)) / rest : (1 - most) / (row.length - 1 - capped.length);
  }
}

/**
 * Raise the listed levels of a distribution to at least the source's probabilities, taking what
 * they gain from the `from` levels in proportion (never below zero).
 * @param row - the class's distribution (changed in place)
 * @param source - the lower bounds
 * @param levels - the floored levels
 * @param from - the levels that give way
 */
export function applyFloor(row: number[], source: readonly number[], levels: readonly number[], from: readonly number[]): void {
  const pool = from.reduce((sum, l) => sum + (row[l] as number), 0);
  const wanted = levels.reduce((sum, l) => sum + Math.max(0, (source[l] as number) - (row[l] as number)), 0);
  if (wanted <= 0 || pool <= 0) return;
  const gain = Math.min(wanted, pool);
  for (const l of levels) row[l] = (row[l] as number) + (Math.max(0, (source[l] as number) - (row[l] as number)) * gain) / wanted;
  for (const l of from) row[l] = ((row[l] as number) * (pool - gain)) / pool;
}

function step(table: PatternTable, params: EmParams, constraints: EmConstraints): EmParams {
  const classes = params.p.length;
  const acc = zeros(classes);
  const mass = new Array<number>(classes).fill(0);
  const r = new Float64Array(classes);
  let total = 0;
  table.levels.forEach((levels, row) => {
    const count = table.counts[row] as number;
    responsibilities(params, levels, undefined, r);
    total += count;
    for (let k = 0; k < classes; k++) {
      const w = (r[k] as number) * count;
      mass[k] = (mass[k] as number) + w;
      const a = acc[k] as number[][];
      for (let f = 0; f < levels.length; f++) (a[f] as number[])[levels[f] as number]! += w;
    }
  });
  const theta = acc.map((fields) => fields.map(normalise));
  for (const [k, f, from, levels] of constraints.ties) {
    const source = typeof from === 'number' ? (theta[from] as number[][])[f] as number[] : [...from];
    (theta[k] as number[][])[f] = levels ? tieLevels((theta[k] as number[][])[f] as number[], source, levels) : [...source];
  }
  for (const [k, f, capped, most] of constraints.caps) applyCap((theta[k] as number[][])[f] as number[], capped, most);
  for (const [k, f, source, levels, from] of constraints.floors ?? []) applyFloor((theta[k] as number[][])[f] as number[], source, levels, from);
  for (const [k, f, levels] of constraints.fixed) (theta[k] as number[][])[f] = [...levels];
  const p = mass.map((x) => Math.max(x / Math.max(total, 1), MIN_SHARE));
  for (const [k, of, ratio] of constraints.shareFloors ?? []) p[k] = Math.max(p[k] as number, ratio * (p[of] as number));
  const sum = p.reduce((s, x) => s + x, 0);
  return { theta, p: p.map((x) => x / sum) };
}

function maxChange(a: EmParams, b: EmParams): number {
  let d = 0;
  // Class shares change relatively: a small class (twins) must converge too.
  a.p.forEach((x, k) => (d = Math.max(d, Math.abs(x - (b.p[k] as number)) / Math.max(x, 1e-6))));
  a.theta.forEach((fields, k) => fields.forEach((row, f) => row.forEach((x, l) => (d = Math.max(d, Math.abs(x - ((b.theta[k] as number[][])[f] as number[])[l]!))))));
  return d;
}

/**
 * Run EM from initial parameters until the largest change is below `tolerance`.
 * @param table - comparison patterns of the blocked pairs
 * @param init - starting level probabilities and class shares
 * @param constraints - ties and caps from the classes' structure
 * @param maxIterations - iteration cap
 * @param tolerance - convergence threshold on parameter change
 * @returns final parameters and the number of iterations run
 */
export function runEm(table: PatternTable, init: EmParams, constraints: EmConstraints, maxIterations: number, tolerance: number): { params: EmParams; iterations: number } {
  let params = init;
  for (let it = 1; it <= maxIterations; it++) {
    const next = step(table, params, constraints);
    const change = maxChange(next, params);
    params = next;
    if (change < tolerance) return { params, iterations: it };
  }
  return { params, iterations: maxIterations };
}
