/**
 * `npm run sync -- CHANNEL`: run one sync of a channel (dhis2, openmrs, ihris, ncr) from the command
 * line with a progress bar (records, rate, time left), through the mediator's own composition (same
 * configuration, stores, mappings and registry; no port, no timers). `npm run sync -- csv FILE.csv`
 * bulk-loads a CSV file (contracts.md §4 generic columns) through the `csv-row` mapping.
 * Exit codes: 0 done, 1 the run failed (the cursor stays where the last stored page left it), 2 usage
 * or configuration error.
 */
import { readFileSync } from 'node:fs';
import { createApp } from '../app';
import type { App } from '../app';
import { ConfigError, loadConfig } from '../config';
import { isChannelName } from '../sync/ports';
import type { SyncCounts } from '../sync/ports';
import { progressBar } from './progress';

const USAGE = 'usage: npm run sync -- dhis2|openmrs|ihris|ncr   |   npm run sync -- csv FILE.csv';
const ACTOR = { clientId: 'cli:sync' };

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

async function ready(app: App, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await app.server.inject('/ready');
    if ((res.result as { checks?: Record<string, string> } | null)?.checks?.mongodb === 'up') return;
    if (Date.now() > deadline) throw new Error('MongoDB is not ready: check MONGODB_URI (and that the local stack runs: npm run stack:up)');
    await new Promise((r) => setTimeout(r, 250));
  }
}

function summary(counts: SyncCounts): string {
  return Object.entries(counts).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v.toLocaleString('en')}`).join(', ') || 'nothing new';
}

async function runChannel(app: App, channel: string): Promise<number> {
  if (!isChannelName(channel)) fail(USAGE, 2);
  const bar = progressBar(process.stderr);
  const started = app.sync.manager.run(channel, {
    trigger: 'cli', actor: ACTOR,
    onProgress: (p) => bar.update({ label: channel, records: p.records, expected: p.expected, ratePerSecond: p.ratePerSecond, etaSeconds: p.etaSeconds }),
  });
  const run = await started.done;
  bar.done();
  const seconds = (Date.parse(run.finishedAt ?? '') - Date.parse(run.startedAt)) / 1000;
  process.stdout.write(`${channel}: ${run.status} in ${seconds.toFixed(1)} s, ${run.pages} pages: ${summary(run.counts)}\n`);
  if (run.error) process.stdout.write(`  stopped by: ${run.error}\n`);
  if (run.counts.failed > 0) process.stdout.write(`  failures: GET /sync/failures?channel=${channel}\n`);
  return run.status === 'succeeded' ? 0 : 1;
}

async function loadCsv(app: App, file: string | undefined): Promise<number> {
  if (!file) fail(USAGE, 2);
  const bytes = readFileSync(file);
  const outcome = await app.sync.manager.push('csv', 'rows', { contentType: 'text/csv', bytes }, ACTOR, () => undefined);
  process.stdout.write(`csv: ${summary(outcome.counts)}\n`);
  if (outcome.counts.failed > 0) process.stdout.write('  failures: GET /sync/failures?channel=csv\n');
  return outcome.counts.failed === 0 ? 0 : 1;
}

async function main(argv: string[]): Promise<void> {
  const [what, file] = argv;
  if (!what || (what !== 'csv' && !isChannelName(what)) || (what === 'csv' && !file)) fail(USAGE, 2);
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message, 2);
    throw err;
  }
  const app = await createApp(config, { listen: false, scheduleChannels: false });
  let code = 1;
  try {
    await app.start();
    await ready(app);
    code = what === 'csv' ? await loadCsv(app, file) : await runChannel(app, what);
  } finally {
    await app.stop();
  }
  process.exit(code);
}

main(process.argv.slice(2)).catch((err: unknown) => fail(err instanceof Error ? err.message : String(err), 2));
