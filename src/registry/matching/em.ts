/**
 * Expectation–maximisation over comparison patterns (Fellegi–Sunter with conditional independence;
 * each field's levels are a multinomial; the null level is missing-at-random and left out of the
 * likelihood). Pairs are aggregated into distinct level vectors first, so an iteration costs
 * O(distinct patterns), not O(pairs).
 */
import { FIELDS, FIELD_LEVELS } from './comparators';

/** Distinct level vectors with their counts. */
export interface PatternTable {
  levels: Int8Array[];
  counts: number[];
}

/** Parameters EM estimates: m and u per field and level, and the match proportion p. */
export interface EmParams {
  m: number[][];
  u: number[][];
  p: number;
}

const SMOOTHING = 1e-3;

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

function posterior(params: EmParams, levels: Int8Array): number {
  let lm = Math.log(params.p);
  let lu = Math.log(1 - params.p);
  for (let f = 0; f < levels.length; f++) {
    const l = levels[f] as number;
    if (l === 0) continue;
    lm += Math.log((params.m[f] as number[])[l] as number);
    lu += Math.log((params.u[f] as number[])[l] as number);
  }
  const d = lu - lm;
  return d > 700 ? 0 : 1 / (1 + Math.exp(d));
}

function normalise(acc: number[][]): number[][] {
  return acc.map((row) => {
    const total = row.reduce((s, x, i) => (i === 0 ? s : s + x + SMOOTHING), 0);
    return row.map((x, i) => (i === 0 ? 0 : total > 0 ? (x + SMOOTHING) / total : 1 / (row.length - 1)));
  });
}

function step(table: PatternTable, params: EmParams): EmParams {
  const zeros = (): number[][] => FIELDS.map((f) => new Array<number>(FIELD_LEVELS[f].length).fill(0));
  const am = zeros();
  const au = zeros();
  let matches = 0;
  let total = 0;
  table.levels.forEach((levels, r) => {
    const count = table.counts[r] as number;
    const g = posterior(params, levels);
    matches += g * count;
    total += count;
    for (let f = 0; f < levels.length; f++) {
      const l = levels[f] as number;
      (am[f] as number[])[l] = ((am[f] as number[])[l] as number) + g * count;
      (au[f] as number[])[l] = ((au[f] as number[])[l] as number) + (1 - g) * count;
    }
  });
  const p = Math.min(Math.max(matches / Math.max(total, 1), 1e-6), 1 - 1e-6);
  return { m: normalise(am), u: normalise(au), p };
}

function maxChange(a: EmParams, b: EmParams): number {
  let d = Math.abs(a.p - b.p);
  a.m.forEach((row, f) => row.forEach((x, l) => (d = Math.max(d, Math.abs(x - ((b.m[f] as number[])[l] as number))))));
  return d;
}

/**
 * Run EM from initial parameters until the largest change is below `tolerance`.
 * @param table - comparison patterns of the blocked pairs
 * @param init - starting m, u and p
 * @param maxIterations - iteration cap
 * @param tolerance - convergence threshold on parameter change
 * @returns final parameters and the number of iterations run
 */
export function runEm(table: PatternTable, init: EmParams, maxIterations: number, tolerance: number): { params: EmParams; iterations: number } {
  let params = init;
  for (let it = 1; it <= maxIterations; it++) {
    const next = step(table, params);
    const change = maxChange(next, params);
    params = next;
    if (change < tolerance) return { params, iterations: it };
  }
  return { params, iterations: maxIterations };
}
