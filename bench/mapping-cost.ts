/**
 * Mapping cost per DHIS2 tracked entity (issue 14: mapping ≤ 50 µs per record, reported apart from the
 * sync): the dhis2-tracked-entity mapping evaluated on JSONata's interpreter and on the compiled engine
 * (src/transforms/compile), over two inputs: BENCH_MAPPING_N (10,000) generated entities of the sync
 * benchmark's shape, and the published payloads' entities (test/fixtures/payloads/dhis2, each page
 * item, repeated to the same count). Each of BENCH_ROUNDS (5) rounds evaluates fresh copies of every
 * record (copied before timing, so no attribute index is reused), after one warm-up round; wall time
 * and CPU time (`process.cpuUsage()`: every thread, GC included) per record, min/median/max over the
 * rounds. Then one round of per-record latencies (the percentiles) and one of map + FHIR validation.
 * No database: runs without the local stack.
 *
 *   node -r @swc-node/register bench/mapping-cost.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Transforms } from '../src/transforms';
import { buildTransforms } from '../src/transforms-module';
import { loadConfig } from '../src/config';
import { trackedEntityOf } from '../test/helpers/fakes/dhis2';
import { person, uidOf } from '../test/helpers/fakes/people';
import { percentiles, report, round, rssMB, spread } from './lib/result';

const N = Number(process.env.BENCH_MAPPING_N ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const MAPPING = 'dhis2-tracked-entity';
const PAYLOADS = join(__dirname, '../test/fixtures/payloads/dhis2');
const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'error', DEFAULT_PHONE_COUNTRY: 'SL' });

/** The entities of the published payloads (pages' items and the single entity), repeated to N. */
function publishedEntities(): unknown[] {
  const read = (f: string): Record<string, unknown> => JSON.parse(readFileSync(join(PAYLOADS, f), 'utf8')) as Record<string, unknown>;
  const items = [
    ...(read('trackedEntities-page-v2.38-2.40.android-sdk.json').instances as unknown[]),
    ...(read('trackedEntities-page-v2.41plus.docs.json').trackedEntities as unknown[]),
    ...(read('legacy-trackedEntityInstances.docs-2.41.json').trackedEntityInstances as unknown[]),
    read('trackedEntity-single-v2.41plus.docs.json'),
  ];
  return Array.from({ length: N }, (_, i) => items[i % items.length]);
}

interface Round {
  wallUs: number;
  cpuUs: number;
}

/** One timed pass over fresh copies of the inputs; µs per record. */
async function timedRound(transforms: Transforms, inputs: unknown[]): Promise<Round> {
  const mapping = transforms.get(MAPPING);
  const copies = inputs.map((i) => structuredClone(i));
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (const input of copies) await mapping.evaluate(input);
  const used = process.cpuUsage(cpu);
  return { wallUs: ((performance.now() - t) * 1000) / inputs.length, cpuUs: (used.user + used.system) / inputs.length };
}

/** Warm-up, then ROUNDS timed rounds; min/median/max of wall and CPU µs per record. */
async function engineCost(transforms: Transforms, inputs: unknown[]): Promise<{ wallUs: ReturnType<typeof spread>; cpuUs: ReturnType<typeof spread> }> {
  await timedRound(transforms, inputs);
  const rounds: Round[] = [];
  for (let r = 0; r < ROUNDS; r++) rounds.push(await timedRound(transforms, inputs));
  return { wallUs: spread(rounds.map((r) => r.wallUs)), cpuUs: spread(rounds.map((r) => r.cpuUs)) };
}

/** Per-record evaluation latencies (ms) of one round, for the percentiles. */
async function latencies(transforms: Transforms, inputs: unknown[]): Promise<number[]> {
  const mapping = transforms.get(MAPPING);
  const samples: number[] = [];
  for (const input of inputs.map((i) => structuredClone(i))) {
    const t = performance.now();
    await mapping.evaluate(input);
    samples.push(performance.now() - t);
  }
  return samples;
}

/** µs per record of map(): evaluation, pruning and FHIR R4 validation. */
async function mapAndValidateUs(transforms: Transforms, inputs: unknown[]): Promise<number> {
  const copies = inputs.map((i) => structuredClone(i));
  const t = performance.now();
  for (const input of copies) {
    const r = await transforms.map(MAPPING, input, 'Patient');
    if (!r.ok) throw new Error(`mapping failed: ${r.reason}`);
  }
  return round(((performance.now() - t) * 1000) / inputs.length, 1);
}

async function main(): Promise<void> {
  const live = config.live;
  const engines = {
    interpreter: buildTransforms({ live: () => live, phoneCountry: 'SL', engine: 'interpreter' }),
    compiled: buildTransforms({ live: () => live, phoneCountry: 'SL' }),
  };
  if (engines.compiled.get(MAPPING).engine !== 'compiled') throw new Error(`${MAPPING} is not compiled: ${engines.compiled.get(MAPPING).interpreterReason}`);
  const datasets = { generated: Array.from({ length: N }, (_, i) => trackedEntityOf(person(i), { uid: uidOf(i, 'B') })), published: publishedEntities() };
  const costs: Record<string, Record<string, unknown>> = {};
  for (const [name, inputs] of Object.entries(datasets)) {
    const interpreter = await engineCost(engines.interpreter, inputs);
    const compiled = await engineCost(engines.compiled, inputs);
    costs[name] = { interpreter, compiled, speedupWall: round(interpreter.wallUs.median / compiled.wallUs.median, 1), speedupCpu: round(interpreter.cpuUs.median / compiled.cpuUs.median, 1) };
  }
  const samples = await latencies(engines.compiled, datasets.generated);
  const generated = costs.generated as { compiled: { wallUs: { median: number } } };
  report({
    workload: 'mapping-cost-dhis2',
    params: {
      mapping: MAPPING, records: N, rounds: ROUNDS, goalUsPerRecord: 50, perRecordUs: costs,
      mapAndValidateUs: { interpreter: await mapAndValidateUs(engines.interpreter, datasets.generated), compiled: await mapAndValidateUs(engines.compiled, datasets.generated) },
      note: 'µs per record, min/median/max over rounds; CPU counts every thread (GC included); absolute figures depend on the load of a shared machine',
    },
    throughput: Math.round(1e6 / generated.compiled.wallUs.median),
    ...percentiles(samples),
    rssMB: rssMB(),
    ceiling: null,
    ratioToCeiling: null,
    commandsPerRecord: null,
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
