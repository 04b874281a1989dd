/**
 * Seeded pseudo-random numbers. mulberry32 is small and well mixed (matching.md §9: a naive LCG
 * inflated block sizes tenfold); Math.random is never used where results must be reproducible.
 */

/**
 * A mulberry32 generator.
 * @param seed - 32-bit seed
 * @returns a function giving floats in [0, 1)
 */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fisher–Yates shuffle of a copy of `items` with a seeded generator.
 * @param items - the items
 * @param seed - 32-bit seed
 * @returns a new shuffled array
 */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rand = mulberry32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = out[i] as T;
    out[i] = out[j] as T;
    out[j] = t;
  }
  return out;
}
