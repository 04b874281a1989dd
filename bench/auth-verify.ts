/**
 * Cost of bearer-token verification per request, keys cached (budget: ≤ 0.2 ms p50).
 * - `verify-cached`: the same token again (the normal case: a client reuses its token for minutes);
 * - `verify-signature`: a new token every call (full ES256 signature check, key already imported);
 * - `request-overhead`: percentiles of a scoped route minus the same trivial route declared public.
 *
 *   node -r @swc-node/register bench/auth-verify.ts
 */
import { percentiles, report, rssMB, timeRuns } from './lib/result';
import { passerelleServer } from './mpi-common';

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_REQUESTS ?? 5000);
  const p = await passerelleServer(null);
  await p.verifier.verify(p.token);
  const cached = await timeRuns(n, () => p.verifier.verify(p.token));
  const tokens = await Promise.all(Array.from({ length: n }, (_, i) => p.issuer.issue(`client-${i}`, ['system/Patient.read']).then((t) => t.access_token)));
  const fresh = await timeRuns(n, (i) => p.verifier.verify(tokens[i] as string));
  // Two identical trivial routes, one public and one needing a scope: the difference is auth alone.
  p.server.route([
    { method: 'GET', path: '/bench/open', options: { plugins: { passerelle: { public: true, audit: false } } }, handler: () => ({ ok: true }) },
    { method: 'GET', path: '/bench/auth', options: { plugins: { passerelle: { scope: 'system/Patient.read', audit: false } } }, handler: () => ({ ok: true }) },
  ]);
  const headers = { authorization: `Bearer ${p.token}` };
  await timeRuns(1000, async (i) => p.server.inject(i % 2 ? { url: '/bench/open' } : { url: '/bench/auth', headers }));
  const authed = await timeRuns(n, () => p.server.inject({ url: '/bench/auth', headers }));
  const open = await timeRuns(n, () => p.server.inject({ url: '/bench/open' }));
  await p.server.stop();
  for (const [workload, run] of [['auth-verify-cached', cached], ['auth-verify-signature', fresh]] as const) {
    report({ workload, params: { alg: 'ES256', requests: n }, throughput: Math.round(n / run.seconds), ...percentiles(run.samples), rssMB: rssMB(), ceiling: null, ratioToCeiling: null, commandsPerRecord: null });
  }
  const a = percentiles(authed.samples);
  const o = percentiles(open.samples);
  report({
    workload: 'auth-request-overhead', params: { alg: 'ES256', requests: n, note: 'percentiles of a scoped route minus the same route declared public (inject, no network)' },
    throughput: Math.round(n / authed.seconds), p50: Math.round((a.p50 - o.p50) * 1000) / 1000, p95: Math.round((a.p95 - o.p95) * 1000) / 1000, p99: Math.round((a.p99 - o.p99) * 1000) / 1000,
    rssMB: rssMB(), ceiling: Math.round(n / open.seconds), ratioToCeiling: Math.round((open.seconds / authed.seconds) * 1000) / 1000, commandsPerRecord: null,
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
