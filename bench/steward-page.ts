/**
 * The steward page's weight and its speed on a queue of 1,000 tasks, in Debian's Chromium:
 * - the bytes a browser downloads (every file, gzip level 9 and brotli);
 * - the time from navigation to the 1,000th row in the table (API calls and rendering included);
 * - the time for End to move the focus to the last task, and for a filter change to redraw.
 * The mediator runs whole over HTTP (AUTH_MODE=none) with every store in a scratch database on the
 * local stack's MongoDB (dropped at the end).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { PUBLIC_DIR } from '../src/steward/assets';
import { launchChromium, stewardContext } from '../test/helpers/browser';
import { generateDuplicates } from '../test/helpers/duplicates';
import { mediatorOver } from './fhir-common';
import { countingClient } from './lib/mongo';
import { percentiles, report, round, rssMB, spread } from './lib/result';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const TASKS = 1000;

function pageBytes(): { files: number; raw: number; gzip: number; brotli: number } {
  const files = readdirSync(PUBLIC_DIR).filter((f) => /\.(html|js|css|svg)$/.test(f)).map((f) => readFileSync(join(PUBLIC_DIR, f)));
  const sum = (f: (b: Buffer) => number): number => files.reduce((s, b) => s + f(b), 0);
  return { files: files.length, raw: sum((b) => b.length), gzip: sum((b) => gzipSync(b, { level: 9 }).length), brotli: sum((b) => brotliCompressSync(b).length) };
}

async function main(): Promise<void> {
  const bytes = pageBytes();
  const counter = await countingClient();
  const db = counter.client.db(`passerelle_bench_steward_${randomBytes(4).toString('hex')}`);
  const { app, url } = await mediatorOver(db);
  await generateDuplicates(app.registry.service, TASKS);
  const commandsBefore = counter.commands();
  const browser = await launchChromium();
  const load: number[] = [];
  const end: number[] = [];
  const filter: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const context = await stewardContext(browser, 'en-GB');
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(`${url}/steward#/queue`);
      await page.locator('table.tasks tbody tr').nth(TASKS - 1).waitFor({ state: 'attached' });
      load.push(performance.now() - t0);
      await page.keyboard.press('ArrowDown');
      const t1 = performance.now();
      await page.keyboard.press('End');
      // Polled through evaluate (the DevTools protocol), which the page's CSP does not govern.
      while (!(await page.evaluate<boolean>("document.activeElement?.closest('tr') === document.querySelector('table.tasks tbody tr:last-child')"))) await page.waitForTimeout(2);
      end.push(performance.now() - t1);
      const t2 = performance.now();
      await page.locator('#f-band').selectOption('high');
      await page.locator('#queue-summary', { hasText: '334 tasks' }).waitFor();
      filter.push(performance.now() - t2);
      await context.close();
    }
  } finally {
    await browser.close();
    await app.stop();
  }
  const commands = counter.commands() - commandsBefore;
  await db.dropDatabase();
  await counter.client.close();
  const p = percentiles(load);
  report({
    workload: 'steward-page', throughput: Math.round((1000 / p.p50) * 100) / 100, ...p, rssMB: rssMB(), ceiling: null, ratioToCeiling: null, commandsPerRecord: round(commands / ROUNDS, 1),
    params: {
      tasks: TASKS, rounds: ROUNDS, bytes, queueLoadMs: spread(load), keyboardEndMs: spread(end), filterRedrawMs: spread(filter), store: 'mongodb (local stand-in)',
      note: 'p50/p95/p99: navigation to the 1,000th row (API + rendering); throughput: queue loads per second at p50; commandsPerRecord: database commands per round (a queue load, End, a filter change); the machine is shared',
    },
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
