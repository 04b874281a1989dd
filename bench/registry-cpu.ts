/**
 * The registry's own CPU per registration (issue 12 item 6): the one workload on the memory twin,
 * `buildRegistryModule({ db: null, memoryFreeze: 'top' })`, so no database time hides in the figure.
 * FEBRL3 (bench/data/linkage/febrl-dataset3.csv, 5,000 rows; BENCH_CPU_INPUT for another FEBRL file)
 * mapped to FHIR with the evaluation's JSONata mapping and a model trained on its own records, both
 * before timing; without the file, the first BENCH_CPU_N (5,000) records of the generated population.
 * Then BENCH_ROUNDS fresh registries (default 3) each register every record one at a time, CPU from
 * `process.cpuUsage()` around the loop (all threads: GC and compiler included).
 * Goal: ≤ 200 µs of CPU per registration (≥ 5,000 records/s on one core).
 *
 * A last, profiled round runs the V8 sampling profiler (the one `--cpu-prof` uses) around the ingest
 * only: bench/results/registry-cpu.cpuprofile (open it in Chrome DevTools) and a text summary,
 * bench/results/registry-cpu-profile.txt, whose heaviest lines are also in the JSON params.
 *
 *   node -r @swc-node/register bench/registry-cpu.ts
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import type { RegisterSourceInput } from '../src/registry/api';
import { createMatchingEngine, trainModel } from '../src/registry/matching';
import type { MatchModel } from '../src/registry/matching';
import { loadDataset } from './linkage/datasets';
import { mapRows } from './linkage/registry-ingest';
import { profileText, summariseProfile } from './lib/cpu-profile';
import type { CpuProfile } from './lib/cpu-profile';
import { benchRegistry, populationPage } from './lib/population';
import { percentiles, report, round, rssMB, spread } from './lib/result';
import { benchSeed } from './lib/sizes';

const ROOT = join(__dirname, '..');
const RESULTS = join(__dirname, 'results');
const FEBRL3 = join(__dirname, 'data/linkage/febrl-dataset3.csv');
const ACTOR = { clientId: 'bench-cpu' };
/** Where the time goes, coarsely: the twin's own work (a test double's cost) apart from the registry's. */
const AREAS: Array<[string, RegExp]> = [
  ['memory twin (src/registry/memory, structuredClone)', /^src\/registry\/memory\/|structuredClone|js_transferable/],
  ['matching (src/registry/matching)', /^src\/registry\/matching\//],
  ['registry (rest of src/registry)', /^src\/registry\//],
  ['garbage collector', /garbage collector/],
  ['other src/', /^src\//],
];

/** The records to register, already mapped: FEBRL3 when the repository has it, else generated people. */
async function inputs(): Promise<{ dataset: string; records: RegisterSourceInput[] }> {
  const file = process.env.BENCH_CPU_INPUT ?? FEBRL3;
  if (existsSync(file)) {
    const rows = loadDataset('febrl', file);
    const patients = await mapRows(rows);
    return { dataset: file.slice(ROOT.length + 1), records: patients.map((patient, i) => ({ patient, sourceSystem: rows[i]?.source ?? 'febrl', actor: ACTOR })) };
  }
  const n = Number(process.env.BENCH_CPU_N ?? 5000);
  return { dataset: `generated population (${n} records; ${FEBRL3.slice(ROOT.length + 1)} not present)`, records: populationPage(0, n, benchSeed()) };
}

interface Pass { cpuUs: number; userUs: number; systemUs: number; wallMs: number; samples: number[] }

/** One fresh registry on the memory twin, every record registered one at a time. */
async function pass(records: RegisterSourceInput[], model: MatchModel, around: (work: () => Promise<void>) => Promise<void> = (w) => w()): Promise<Pass> {
  const m = benchRegistry(null, 'top');
  await m.init();
  await m.service.saveModel(model, true);
  const samples: number[] = new Array<number>(records.length);
  let cpu = { user: 0, system: 0 };
  const started = performance.now();
  await around(async () => {
    const before = process.cpuUsage();
    for (let i = 0; i < records.length; i++) {
      const t = performance.now();
      await m.service.registerSource(records[i] as RegisterSourceInput);
      samples[i] = performance.now() - t;
    }
    cpu = process.cpuUsage(before);
  });
  const wallMs = performance.now() - started;
  await m.close();
  return { cpuUs: cpu.user + cpu.system, userUs: cpu.user, systemUs: cpu.system, wallMs, samples };
}

/** A pass under the V8 sampling profiler (100 µs interval); returns the profile. */
async function profiledPass(records: RegisterSourceInput[], model: MatchModel): Promise<CpuProfile> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  let profile: CpuProfile | null = null;
  await pass(records, model, async (work) => {
    await session.post('Profiler.start');
    await work();
    profile = (await session.post('Profiler.stop')).profile as unknown as CpuProfile;
  });
  session.disconnect();
  return profile as unknown as CpuProfile;
}

async function main(): Promise<void> {
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
  const { dataset, records } = await inputs();
  const engine = createMatchingEngine();
  const model = trainModel(records.map((r) => engine.extractFeatures(r.patient)), { seed: 1 });
  const passes: Pass[] = [];
  for (let r = 0; r < rounds; r++) {
    passes.push(await pass(records, model));
    const p = passes[passes.length - 1] as Pass;
    process.stderr.write(`[registry-cpu] round ${r + 1}/${rounds}: ${round(p.cpuUs / records.length, 1)} µs CPU per registration, ${Math.round((records.length * 1000) / p.wallMs)} records/s wall\n`);
  }
  const profile = await profiledPass(records, model);
  const summary = summariseProfile(profile, ROOT, { dropStacksWith: /node:inspector/, omitFrames: / (bench\/|node:internal\/util)/, areas: AREAS });
  const text = profileText(summary, records.length, 'registration');
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'registry-cpu.cpuprofile'), JSON.stringify(profile));
  writeFileSync(join(RESULTS, 'registry-cpu-profile.txt'), text);
  process.stderr.write(text);
  const perRecord = passes.map((p) => p.cpuUs / records.length);
  const median = [...passes].sort((a, b) => a.cpuUs - b.cpuUs)[(passes.length - 1) >> 1] as Pass;
  const us = median.cpuUs / records.length;
  const perUnit = (x: number): number => round(x / records.length, 1);
  report({
    workload: 'registry-cpu',
    params: {
      dataset, records: records.length, rounds, store: 'memory twin (memoryFreeze: top) — the CPU figure of issue 12 item 6, not the registry\'s throughput',
      cpuUsPerRegistration: round(us, 1), cpuUsOverRounds: spread(perRecord), userUs: perUnit(median.userUs), systemUs: perUnit(median.systemUs),
      wallRecordsPerSecond: Math.round((records.length * 1000) / median.wallMs), goal: '≤ 200 µs CPU per registration (≥ 5,000/s on one core)',
      profile: {
        file: 'bench/results/registry-cpu.cpuprofile', text: 'bench/results/registry-cpu-profile.txt',
        topSelf: summary.bySelf.slice(0, 8).map((f) => `${perUnit(f.selfUs)} µs ${f.fn}`),
        topInclusive: summary.byTotal.slice(0, 8).map((f) => `${perUnit(f.totalUs)} µs ${f.fn}`),
        topFiles: summary.byFile.slice(0, 8).map((f) => `${perUnit(f.selfUs)} µs ${f.file}`),
        byArea: summary.byArea.map((a) => `${perUnit(a.selfUs)} µs ${a.area}`),
      },
      note: 'throughput: records/s one core could register at this CPU cost (1e6 / µs per registration); p50/p95/p99: wall ms per registration',
    },
    throughput: Math.round(1e6 / us), ...percentiles(median.samples), rssMB: rssMB(), ceiling: null, ratioToCeiling: null, commandsPerRecord: null,
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
