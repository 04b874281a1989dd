/**
 * The generator's random numbers: sfc32 (a small, well-mixed 128-bit-state generator from
 * PractRand's test suite) seeded through splitmix32, so every seed gives a reproducible population
 * and nearby seeds give unrelated streams (matching.md §9: a naive LCG inflated blocks tenfold).
 */

/** A seeded source of random choices. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [lo, hi]. */
  between(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** A uniformly chosen element. */
  pick<T>(items: readonly T[]): T;
  /** An element chosen with the given weights. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * An sfc32 generator.
 * @param seed - any 32-bit integer
 * @returns the generator
 */
export function createRng(seed: number): Rng {
  const init = splitmix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  const rng: Rng = {
    next,
    int: (n) => Math.floor(next() * n),
    between: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    weighted: (items) => {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let x = next() * total;
      for (const [item, w] of items) if ((x -= w) < 0) return item;
      return (items[items.length - 1] as readonly [never, number])[0];
    },
  };
  return rng;
}

/** Draws from a list with Zipf-skewed frequencies (rank r has weight 1/(r+1)^s). */
export interface Zipf<T> {
  draw(rng: Rng): T;
}

/**
 * A Zipf sampler over a ranked list (most frequent first).
 * @param items - the list, most frequent first
 * @param exponent - the skew (1 ≈ natural name frequencies)
 * @returns the sampler
 */
export function zipf<T>(items: readonly T[], exponent = 1): Zipf<T> {
  const cumulative = new Float64Array(items.length);
  let total = 0;
  items.forEach((_, r) => {
    total += 1 / (r + 1) ** exponent;
    cumulative[r] = total;
  });
  return {
    draw: (rng) => {
      const x = rng.next() * total;
      let lo = 0;
      let hi = items.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if ((cumulative[mid] as number) <= x) lo = mid + 1;
        else hi = mid;
      }
      return items[lo] as T;
    },
  };
}
