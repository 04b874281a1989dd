/**
 * `GET /mpi/resolve/{system}/{value}` latency over HTTP (sequential, keep-alive) on a registry of
 * BENCH_N people (memory registry). Ceiling: a bare node:http server on the same client.
 *
 *   node -r @swc-node/register bench/mpi-resolve.ts
 */
import { bareHttpCeiling, passerelleServer, percentiles, report, rssMB, syntheticPerson, timeRuns } from './mpi-common';

async function main(): Promise<void> {
  const size = Number(process.env.BENCH_N ?? 2000);
  const n = Number(process.env.BENCH_REQUESTS ?? 5000);
  const p = await passerelleServer();
  const auth = { authorization: `Bearer ${p.token}` };
  const linked: number[] = [];
  for (let i = 0; i < size; i++) {
    const res = await fetch(`${p.url}/mpi/register`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(syntheticPerson(i)) });
    if (res.status === 201) linked.push(i);
    await res.arrayBuffer();
  }
  const run = await timeRuns(n, async (i) => {
    const nid = (syntheticPerson(linked[i % linked.length] as number).external_ids as { national_id: string }).national_id;
    const res = await fetch(`${p.url}/mpi/resolve/national_id/${nid}`, { headers: auth });
    if (res.status !== 200) throw new Error(`resolve returned ${res.status}`);
    await res.arrayBuffer();
  });
  const bare = await bareHttpCeiling();
  const ceilingRun = await timeRuns(n, async () => (await fetch(bare.url)).arrayBuffer());
  await bare.close();
  await p.server.stop();
  const throughput = Math.round(n / run.seconds);
  const ceiling = Math.round(n / ceilingRun.seconds);
  report({ workload: 'mpi-resolve', params: { size, linked: linked.length, requests: n, store: 'memory', concurrency: 1 }, throughput, ...percentiles(run.samples), rssMB: rssMB(), ceiling, ratioToCeiling: Math.round((throughput / ceiling) * 1000) / 1000 });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
