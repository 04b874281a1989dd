/**
 * `GET /mpi/resolve/{system}/{value}` latency over HTTP (sequential, keep-alive) by national ID, on a
 * registry of BENCH_MPI_N generated records (default 2,000) loaded through the bulk path into the
 * local stack's MongoDB. Ceiling: a bare node:http server on the same client.
 *
 *   node -r @swc-node/register bench/mpi-resolve.ts
 */
import { personOf } from './lib/population';
import { percentiles, ratio, report, round, rssMB, timeRuns } from './lib/result';
import { NATIONAL_ID_SYSTEM, syntheticPatient } from './lib/synthetic';
import { bareHttpCeiling, mpiBench } from './mpi-common';

async function main(): Promise<void> {
  const p = await mpiBench(5000);
  const { size, requests: n, seed, counter } = p;
  const auth = { authorization: `Bearer ${p.token}` };
  const nationalId = (i: number): string => {
    const person = personOf(Math.floor(((i * 7919) % size)), seed).person;
    return syntheticPatient(person, seed).identifier?.find((id) => id.system === NATIONAL_ID_SYSTEM)?.value ?? '';
  };
  const resolve = async (i: number): Promise<void> => {
    const res = await fetch(`${p.url}/mpi/resolve/${encodeURIComponent(NATIONAL_ID_SYSTEM)}/${nationalId(i)}`, { headers: auth });
    if (res.status !== 200) throw new Error(`resolve returned ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };
  await timeRuns(100, resolve);
  const before = counter.commands();
  const run = await timeRuns(n, resolve);
  const commands = counter.commands() - before;
  const bare = await bareHttpCeiling();
  const ceilingRun = await timeRuns(n, async () => (await fetch(bare.url)).arrayBuffer());
  await bare.close();
  await p.close();
  const throughput = Math.round(n / run.seconds);
  const ceiling = Math.round(n / ceilingRun.seconds);
  report({
    workload: 'mpi-resolve', params: { registrySize: size, requests: n, store: 'mongodb (local stand-in)', concurrency: 1, by: 'national ID', ceilingIs: 'bare node:http GET, same client' },
    throughput, ...percentiles(run.samples), rssMB: rssMB(), ceiling, ratioToCeiling: ratio(throughput, ceiling), commandsPerRecord: round(commands / n, 3),
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
