/**
 * Registry sizes of the scale workloads: BENCH_N (one size, or a comma-separated list), else 10k and
 * 100k, plus 1M with BENCH_FULL=1. Each workload process runs one size (bench/run.ts loops over them).
 */

/**
 * The sizes a run covers.
 * @param env - the environment (BENCH_N, BENCH_FULL)
 */
export function benchSizes(env: NodeJS.ProcessEnv = process.env): number[] {
  if (env.BENCH_N) {
    const sizes = env.BENCH_N.split(',').map((s) => Number(s.trim()));
    if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`BENCH_N must be positive integers, comma-separated: ${env.BENCH_N}`);
    return sizes;
  }
  return env.BENCH_FULL === '1' ? [10_000, 100_000, 1_000_000] : [10_000, 100_000];
}

/**
 * The one size a workload process runs (the first of `benchSizes`).
 * @param env - the environment
 */
export function benchSize(env: NodeJS.ProcessEnv = process.env): number {
  return benchSizes(env)[0] as number;
}

/**
 * A size as a short label for workload names: 10000 → 10k, 1000000 → 1M, 2500 → 2500.
 * @param n - a size
 */
export function sizeLabel(n: number): string {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1000 && n % 1000 === 0) return `${n / 1000}k`;
  return String(n);
}

/** The generator seed of a run (BENCH_SEED, default 1). */
export function benchSeed(env: NodeJS.ProcessEnv = process.env): number {
  return Number(env.BENCH_SEED ?? 1);
}
