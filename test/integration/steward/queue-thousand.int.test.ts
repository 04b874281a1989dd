/**
 * A queue of 1,000 tasks in Chromium: all of them listed in one load, counted in the locale's
 * format, and walked with the keyboard to the last one. The mediator runs whole, over HTTP, with its
 * registry on the memory twin (2,000 registrations on the local stack's stand-in take minutes). (How fast it renders is measured by
 * `bench/steward-page.ts`, not asserted here.)
 */
import type { Browser } from 'playwright-core';
import { generateDuplicates } from '../../helpers/duplicates';
import type { GeneratedPair } from '../../helpers/duplicates';
import { launchChromium, stewardContext } from '../../helpers/browser';
import { focused, signIn, startStewardStack } from '../../helpers/steward-stack';
import type { StewardStack } from '../../helpers/steward-stack';

jest.setTimeout(300_000);

describe('steward page: a queue of 1,000 tasks (Chromium, memory registry)', () => {
  let env: StewardStack;
  let browser: Browser;
  let pairs: GeneratedPair[];

  beforeAll(async () => {
    // The whole mediator over HTTP with the real identity provider; the registry on its memory twin,
    // because registering 2,000 records on the local MongoDB stand-in takes minutes.
    env = await startStewardStack({}, 'memory');
    pairs = await generateDuplicates(env.app.registry.service, 1000);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  test('1,000 tasks in one load, counted, walked to the last one with the keyboard', async () => {
    const context = await stewardContext(browser, 'en-GB');
    const page = await context.newPage();
    await signIn(page, `${env.pageUrl}#/queue`, 'awa');
    await page.locator('table.tasks tbody tr').nth(999).waitFor({ state: 'attached' });
    expect(await page.locator('table.tasks tbody tr').count()).toBe(1000);
    expect(await page.locator('#queue-summary').textContent()).toBe('1,000 tasks match the filters, oldest first.');
    expect(await page.locator('#queue-shown').textContent()).toBe('Showing 1,000 of 1,000.');
    expect(await page.locator('#load-more').isHidden()).toBe(true);
    expect(await page.locator('#f-band option').allTextContents()).toEqual(['All scores', 'High (334)', 'Medium (333)', 'Low (333)']);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('End');
    expect(await focused(page, "closest('tr')?.getAttribute('data-task')")).toBe(pairs[999]?.taskId);
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**#/task/${pairs[998]?.taskId}`);
    await page.locator('#compare').waitFor();
    // Back to the queue (Escape): the focus returns to the task that was open.
    await page.keyboard.press('Escape');
    await page.locator('table.tasks').waitFor();
    expect(await focused(page, "closest('tr')?.getAttribute('data-task')")).toBe(pairs[998]?.taskId);
    await context.close();
  });
});
