/**
 * `POST /mpi/register` latency over HTTP (sequential, keep-alive), registry pre-loaded with
 * BENCH_N people (memory registry). Ceiling: a bare node:http server on the same client.
 *
 *   node -r @swc-node/register bench/mpi-register.ts
 */
import { bareHttpCeiling, passerelleServer, percentiles, report, rssMB, syntheticPerson, timeRuns } from './mpi-common';

async function main(): Promise<void> {
  const preload = Number(process.env.BENCH_N ?? 2000);
  const n = Number(process.env.BENCH_REQUESTS ?? 1000);
  const p = await passerelleServer();
  const headers = { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' };
  let duplicates = 0;
  const post = async (i: number): Promise<void> => {
    const res = await fetch(`${p.url}/mpi/register`, { method: 'POST', headers, body: JSON.stringify(syntheticPerson(i)) });
    // A 409 (likely duplicate among synthetic people) did the same matching work; count it.
    if (res.status === 409) duplicates++;
    else if (res.status !== 201) throw new Error(`register returned ${res.status}`);
    await res.arrayBuffer();
  };
  for (let i = 0; i < preload; i++) await post(i);
  const run = await timeRuns(n, (i) => post(preload + i));
  const bare = await bareHttpCeiling();
  const ceilingRun = await timeRuns(n, async () => (await fetch(bare.url, { method: 'POST', body: '{}' })).arrayBuffer());
  await bare.close();
  await p.server.stop();
  const pct = percentiles(run.samples);
  const throughput = Math.round(n / run.seconds);
  const ceiling = Math.round(n / ceilingRun.seconds);
  report({ workload: 'mpi-register', params: { preload, requests: n, store: 'memory', concurrency: 1, duplicates }, throughput, ...pct, rssMB: rssMB(), ceiling, ratioToCeiling: Math.round((throughput / ceiling) * 1000) / 1000 });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
