/**
 * `POST /mpi/register` latency over HTTP (sequential, keep-alive) on a registry of BENCH_MPI_N
 * generated records (default 2,000) loaded through the bulk path into the local stack's MongoDB; the
 * registrations are the stream's next records (new people, and a fifth second-system records of
 * people already registered). Ceiling: a bare node:http server on the same client.
 *
 *   node -r @swc-node/register bench/mpi-register.ts
 *
 * The kept population database then holds more than BENCH_MPI_N records and is marked so.
 */
import { markPopulation, populationInput } from './lib/population';
import { percentiles, ratio, report, round, rssMB, timeRuns } from './lib/result';
import { bareHttpCeiling, mpiBench, mpiBody } from './mpi-common';

async function main(): Promise<void> {
  const p = await mpiBench(1000);
  const { size, requests: n, seed, counter, db } = p;
  const headers = { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' };
  const statuses: Record<string, number> = {};
  const post = async (i: number): Promise<void> => {
    const res = await fetch(`${p.url}/mpi/register`, { method: 'POST', headers, body: JSON.stringify(mpiBody(populationInput(i, seed).patient)) });
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    // 409: a likely duplicate sent to review — the same matching work was done.
    if (res.status >= 300 && res.status !== 409) throw new Error(`register returned ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  await timeRuns(50, (i) => post(size + i));
  const before = counter.commands();
  const run = await timeRuns(n, (i) => post(size + 50 + i));
  const commands = counter.commands() - before;
  await markPopulation(db, size + 50 + n, seed);
  const bare = await bareHttpCeiling();
  const ceilingRun = await timeRuns(n, async () => (await fetch(bare.url, { method: 'POST', body: '{}' })).arrayBuffer());
  await bare.close();
  await p.close();
  const throughput = Math.round(n / run.seconds);
  const ceiling = Math.round(n / ceilingRun.seconds);
  report({
    workload: 'mpi-register', params: { registrySize: size, requests: n, warmup: 50, store: 'mongodb (local stand-in)', concurrency: 1, statuses, ceilingIs: 'bare node:http POST, same client' },
    throughput, ...percentiles(run.samples), rssMB: rssMB(), ceiling, ratioToCeiling: ratio(throughput, ceiling), commandsPerRecord: round(commands / n, 3),
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
