/**
 * Single-registration latency (issue 12 item 7) at a registry of N records (BENCH_N) loaded through
 * the bulk path: `registerSource` one at a time for the next BENCH_REQUESTS records of the generated
 * stream (new people and a fifth second-system duplicates of earlier people), after BENCH_WARMUP
 * untimed ones (a restarted mediator re-learns which blocks are large on its first lookups).
 * Goals across sizes: p50 at 1M ≤ 1.5 × p50 at 10k; p99 ≤ 3 × p50; median ≤ 6 commands.
 *
 * Ceiling, in the same run and at the same size: the least any registration costs the raw driver,
 * one after another — the indexed find of the record's own lookup keys (its stored `keys`, with the
 * lookup's projection) and an insert of a copy of its stored document into the records collection
 * (copies are filed under kind `c`, which no registry query reads, and deleted afterwards).
 *
 *   BENCH_N=100000 node -r @swc-node/register bench/register-latency.ts
 *
 * It registers into the kept population database of size N (bulk-ingest's, or loaded here), which
 * then holds N + warm-up + requests records and is marked so (no longer reused as "N").
 */
import type { Collection, Document } from 'mongodb';
import { collectionNames } from '../src/registry/mongo/indexes';
import { counted, countingClient } from './lib/mongo';
import { benchRegistry, ensurePopulation, markPopulation, populationInput } from './lib/population';
import { percentiles, ratio, report, round, rssMB, spread } from './lib/result';
import { benchSeed, benchSize, sizeLabel } from './lib/sizes';

/** The raw driver's floor for one registration: the lookup find, then an insert, for each document. */
async function rawFloor(records: Collection<Document>, keys: string[]): Promise<number[]> {
  const docs = await records.find({ _id: { $in: keys as never[] } }).toArray();
  const samples: number[] = [];
  for (const d of docs) {
    const copy = { ...d, _id: `ceiling:${String(d._id)}` as never, k: 'c', ...(d.id ? { id: `ceiling:${String(d.id)}` } : {}) };
    const t = performance.now();
    await records.find({ keys: { $in: d.keys as string[] } }, { projection: { patient: 0, receivedJson: 0, search: 0 } }).toArray();
    await records.insertOne(copy);
    samples.push(performance.now() - t);
  }
  await records.deleteMany({ k: 'c' });
  return samples;
}

async function main(): Promise<void> {
  const n = benchSize();
  const seed = benchSeed();
  const requests = Number(process.env.BENCH_REQUESTS ?? 1000);
  const warmup = Number(process.env.BENCH_WARMUP ?? 100);
  const counter = await countingClient();
  const { db, loadedNow } = await ensurePopulation(counter, n, seed);
  const m = benchRegistry(db);
  await m.init();
  for (let i = n; i < n + warmup; i++) await m.service.registerSource(populationInput(i, seed));
  const samples: number[] = [];
  const commands: number[] = [];
  const outcomes: Record<string, number> = {};
  const keys: string[] = [];
  const started = performance.now();
  for (let i = n + warmup; i < n + warmup + requests; i++) {
    const t = performance.now();
    const { value, commands: c } = await counted(counter, () => m.service.registerSource(populationInput(i, seed)));
    samples.push(performance.now() - t);
    commands.push(c);
    outcomes[value.outcome] = (outcomes[value.outcome] ?? 0) + 1;
    keys.push(value.source.key);
  }
  const seconds = (performance.now() - started) / 1000;
  await m.close();
  await markPopulation(db, n + warmup + requests, seed);
  const floor = await rawFloor(db.collection(collectionNames().records), keys);
  await counter.client.close();

  const pct = percentiles(samples);
  const rawPct = percentiles(floor);
  const throughput = Math.round(requests / seconds);
  const ceiling = Math.round(floor.length / (floor.reduce((a, b) => a + b, 0) / 1000));
  const sortedCommands = [...commands].sort((a, b) => a - b);
  report({
    workload: `register-latency-${sizeLabel(n)}`,
    params: {
      registrySize: n, seed, warmup, requests, outcomes, store: 'mongodb (local stand-in)', populationLoadedHere: loadedNow,
      p99ToP50: ratio(pct.p99, pct.p50), commandsMedian: sortedCommands[Math.floor(sortedCommands.length / 2)], commands: spread(commands),
      raw: { ...rawPct, note: 'one indexed find of the record\'s lookup keys + one insert of a copy of its document, sequential' },
      p50ToRawP50: ratio(pct.p50, rawPct.p50),
    },
    throughput, ...pct, rssMB: rssMB(), ceiling, ratioToCeiling: ratio(throughput, ceiling), commandsPerRecord: round(commands.reduce((a, b) => a + b, 0) / requests, 3),
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
