/**
 * The steward page's weight and its speed on a queue of 1,000 tasks, in Debian's Chromium:
 * - the bytes a browser downloads (every file, gzip level 9 and brotli);
 * - loading and rendering: from navigation to the first frame painted with the 1,000th row in the
 *   table (API calls, building the rows, layout and paint);
 * - keyboard moves: one ArrowDown (the focus on the next task, the table scrolled to it; the mean of
 *   ARROW_MOVES moves), and End from the first task to the last;
 * - a filter change: the queue read again and redrawn.
 * The mediator runs whole over HTTP (AUTH_MODE=none) with every store in a scratch database on the
 * local stack's MongoDB (dropped at the end).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { PUBLIC_DIR } from '../src/steward/assets';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, stewardContext } from '../test/helpers/browser';
import { generateDuplicates } from '../test/helpers/duplicates';
import { mediatorOver } from './fhir-common';
import { countingClient } from './lib/mongo';
import { percentiles, report, round, rssMB, spread } from './lib/result';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const TASKS = 1000;
const ARROW_MOVES = 20;
const NOTE = 'p50/p95/p99 and queueLoadMs: navigation to the first frame painted with the 1,000th row (API + rendering); '
  + 'keyboardArrowMs: one ArrowDown, key sent to focus seen on the next task through the DevTools protocol (mean of a round\'s moves); '
  + 'keyboardEndMs: End from the first task to the last, the same way; *InPageMs: the page\'s own handling of the key (focus moved, table scrolled); '
  + 'throughput: queue loads per second at p50; commandsPerRecord: database commands per round (a queue load, moves, a filter change); the machine is shared';

function pageBytes(): { files: number; raw: number; gzip: number; brotli: number } {
  const files = readdirSync(PUBLIC_DIR).filter((f) => /\.(html|js|css|svg)$/.test(f)).map((f) => readFileSync(join(PUBLIC_DIR, f)));
  const sum = (f: (b: Buffer) => number): number => files.reduce((s, b) => s + f(b), 0);
  return { files: files.length, raw: sum((b) => b.length), gzip: sum((b) => gzipSync(b, { level: 9 }).length), brotli: sum((b) => brotliCompressSync(b).length) };
}

/** Wait (polling through the DevTools protocol, which the page's CSP does not govern) until the focus is in row `i` of the tasks (1-based). */
async function focusInRow(page: Page, i: number): Promise<void> {
  while (!(await page.evaluate<boolean>(`document.activeElement?.closest('tr')?.rowIndex === ${i}`))) await page.waitForTimeout(1);
}

/**
 * Times each key's handling inside the page: from a capturing keydown listener on window (first to
 * run) to a bubbling one on window (last to run, after the page's own listener on document has moved
 * the focus and scrolled), without the DevTools protocol's round trips.
 */
const KEY_TIMER = `window.keyMs = [];
addEventListener('keydown', () => { window.keyT0 = performance.now(); }, true);
addEventListener('keydown', () => { window.keyMs.push(performance.now() - window.keyT0); });`;

/** The mean in-page handling time of the keys pressed since the last call (ms). */
async function inPageKeyMs(page: Page): Promise<number> {
  const ms = await page.evaluate<number[]>('window.keyMs.splice(0)');
  return ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length);
}

type Round = { load: number; arrow: number; arrowInPage: number; end: number; endInPage: number; filter: number };

/** ArrowDown moves from the first task, then End from the first to the last (ms, with the in-page share). */
async function timeKeyboard(page: Page): Promise<Pick<Round, 'arrow' | 'arrowInPage' | 'end' | 'endInPage'>> {
  await page.evaluate(KEY_TIMER);
  await page.keyboard.press('ArrowDown');
  await focusInRow(page, 1);
  await inPageKeyMs(page);
  const t1 = performance.now();
  for (let row = 2; row <= ARROW_MOVES + 1; row++) {
    await page.keyboard.press('ArrowDown');
    await focusInRow(page, row);
  }
  const arrow = (performance.now() - t1) / ARROW_MOVES;
  const arrowInPage = await inPageKeyMs(page);
  await page.keyboard.press('Home');
  await focusInRow(page, 1);
  await inPageKeyMs(page);
  const t2 = performance.now();
  await page.keyboard.press('End');
  await focusInRow(page, TASKS);
  return { arrow, arrowInPage, end: performance.now() - t2, endInPage: await inPageKeyMs(page) };
}

/** One round in a fresh context: load, keyboard moves, a filter change (ms). */
async function timeRound(browser: Browser, url: string): Promise<Round> {
  const context = await stewardContext(browser, 'en-GB');
  const page = await context.newPage();
  const t0 = performance.now();
  await page.goto(`${url}/steward#/queue`);
  await page.locator('table.tasks tbody tr').nth(TASKS - 1).waitFor({ state: 'attached' });
  // Two animation frames: the one that lays out and paints the rows has been produced.
  await page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))');
  const load = performance.now() - t0;
  const keys = await timeKeyboard(page);
  const t3 = performance.now();
  await page.locator('#f-band').selectOption('high');
  await page.locator('#queue-summary', { hasText: '334 tasks' }).waitFor();
  const filter = performance.now() - t3;
  await context.close();
  return { load, ...keys, filter };
}

async function main(): Promise<void> {
  const bytes = pageBytes();
  const counter = await countingClient();
  const db = counter.client.db(`passerelle_bench_steward_${randomBytes(4).toString('hex')}`);
  const { app, url } = await mediatorOver(db);
  await generateDuplicates(app.registry.service, TASKS);
  const commandsBefore = counter.commands();
  const browser = await launchChromium();
  const rounds: Round[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) rounds.push(await timeRound(browser, url));
  } finally {
    await browser.close();
    await app.stop();
  }
  const commands = counter.commands() - commandsBefore;
  await db.dropDatabase();
  await counter.client.close();
  const load = rounds.map((r) => r.load);
  const p = percentiles(load);
  report({
    workload: 'steward-page', throughput: Math.round((1000 / p.p50) * 100) / 100, ...p, rssMB: rssMB(), ceiling: null, ratioToCeiling: null, commandsPerRecord: round(commands / ROUNDS, 1),
    params: {
      tasks: TASKS, rounds: ROUNDS, bytes, queueLoadMs: spread(load), arrowMovesPerRound: ARROW_MOVES,
      keyboardArrowMs: spread(rounds.map((r) => r.arrow)), keyboardArrowInPageMs: spread(rounds.map((r) => r.arrowInPage)),
      keyboardEndMs: spread(rounds.map((r) => r.end)), keyboardEndInPageMs: spread(rounds.map((r) => r.endInPage)),
      filterRedrawMs: spread(rounds.map((r) => r.filter)), store: 'mongodb (local stand-in)', note: NOTE,
    },
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
