/**
 * The machine's closed-loop latency floor: a bare node:http server that burns a fixed CPU time per
 * request, driven by the FHIR benchmarks' load generator (50 connections). It shows what throughput
 * and p99 any server of that per-request cost can reach here, so the FHIR figures can be read
 * against the machine rather than in the abstract. (Until the load generator timed runs to their
 * last response, throughput here fell on steps — N/1.02 s, N/2.04 s… — because autocannon reports
 * completion on its one-second ticker; those steps were the clock, not the machine.)
 *
 *   node -r @swc-node/register bench/latency-floor.ts        (COSTS=0,20,40,… µs per request)
 */
import { closedLoop } from './fhir-common';
import { bareHttpCeiling } from './mpi-common';
import { percentiles } from './lib/result';

const CONNECTIONS = 50;
const REQUESTS = 10_000;

async function main(): Promise<void> {
  let cost = 0;
  const server = await bareHttpCeiling(() => cost);
  const url = server.url;
  await closedLoop(url, () => '/', 3000, CONNECTIONS);
  for (const c of (process.env.COSTS ?? '0,20,40,60,80,100,120,140,160').split(',').map(Number)) {
    cost = c;
    const run = await closedLoop(url, () => '/', REQUESTS, CONNECTIONS);
    const p = percentiles(run.samples);
    console.log(JSON.stringify({ costUs: c, throughput: Math.round(REQUESTS / run.seconds), ...p, serverCpuUs: run.serverCpuUsPerRequest }));
  }
  await server.close();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
