/**
 * The review queue's filters in Debian's Chromium, against the mediator on the local stack with
 * generated duplicates: age (tasks back-dated through the registry's store), state (after a
 * decision), and "next task" keeping every filter of the queue it came from.
 */
import type { Page } from 'playwright-core';
import type { GeneratedPair } from '../../helpers/duplicates';
import { focused, useStewardBrowser } from '../../helpers/steward-stack';

jest.setTimeout(120_000);

describe('steward page: queue filters (Chromium, local stack)', () => {
  // Pair i's task is in the high score band when i % 3 === 0, medium for 1, low for 2.
  // Oldest first: 4 (medium, 10 days), 5 (low, 3 days), 3 (high), 7 (medium), 6 (high), then the rest.
  const s = useStewardBrowser(9, async () => {
    for (const [i, hours] of [[4, 240], [5, 72], [3, 5], [7, 4], [6, 3]] as const) await backdate(i, hours);
  });
  const { openAs } = s;
  const taskOf = (i: number): string => (s.pairs[i] as GeneratedPair).taskId;

  /** Move a task's creation back by `hours` through the registry's store (a task's age is its createdAt). */
  async function backdate(i: number, hours: number): Promise<void> {
    const reviews = s.env.app.registry.store.reviews;
    const task = await reviews.get(taskOf(i));
    if (!task) throw new Error(`no task for pair ${i}`);
    await reviews.put([{ ...task, createdAt: new Date(Date.now() - hours * 3_600_000).toISOString(), version: task.version + 1 }]);
  }

  const listed = async (page: Page): Promise<Array<string | null>> =>
    page.locator('table.tasks tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-task')));

  test('age: the filter counts and lists only the tasks older than the chosen age, oldest first', async () => {
    const page = await openAs('awa', '#/queue');
    await page.locator('table.tasks').waitFor();
    expect(await page.locator('#f-age option').allTextContents()).toEqual(['Any age', 'Older than 1 day (2)', 'Older than 7 days (1)', 'Older than 30 days (0)']);
    await page.locator('#f-age').selectOption('7');
    await page.locator('#queue-summary', { hasText: '1 task match' }).waitFor();
    expect(await listed(page)).toEqual([taskOf(4)]);
    expect(await page.locator('table.tasks tbody tr td').nth(1).textContent()).toBe('10 days ago');
    await page.locator('#f-age').selectOption('1');
    await page.locator('#queue-summary', { hasText: '2 tasks' }).waitFor();
    expect(await listed(page)).toEqual([taskOf(4), taskOf(5)]);
    expect(page.url()).toContain('#/queue?age=1');
    await page.locator('#f-age').selectOption('30');
    await page.locator('.notice', { hasText: 'No task matches these filters.' }).waitFor();
    await page.context().close();
  });

  test('state: a task decided leaves the open queue and is listed, with its outcome, under resolved', async () => {
    const page = await openAs('awa', `#/task/${taskOf(0)}`);
    await page.locator('#compare').waitFor();
    await page.keyboard.press('l');
    await page.locator('#reason').waitFor();
    await page.keyboard.type('Same person: first name slip');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('#outcome').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('#queue-summary', { hasText: '8 tasks' }).waitFor();
    expect(await listed(page)).not.toContain(taskOf(0));
    await page.locator('#f-state').selectOption('resolved');
    await page.locator('#queue-summary', { hasText: '1 task match' }).waitFor();
    expect(await listed(page)).toEqual([taskOf(0)]);
    expect(await page.locator('table.tasks tbody tr td').last().textContent()).toBe('linked');
    expect(await page.locator('#f-source option').allTextContents()).toEqual(['All systems', 'openmrs (1)']);
    expect(page.url()).toContain('#/queue?state=resolved');
    await page.context().close();
  });

  test('next task keeps the score band: from the oldest high-score task, N opens the next high-score one', async () => {
    const page = await openAs('awa', '#/queue?band=high');
    await page.locator('table.tasks').waitFor();
    // A medium-score task (pair 7) sits between the two in the whole queue.
    expect((await listed(page)).slice(0, 2)).toEqual([taskOf(3), taskOf(6)]);
    await page.keyboard.press('ArrowDown');
    expect(await focused(page, "closest('tr')?.getAttribute('data-task')")).toBe(taskOf(3));
    await page.keyboard.press('Enter');
    await page.waitForURL(`**#/task/${taskOf(3)}`);
    await page.locator('#compare').waitFor();
    await page.keyboard.press('n');
    await page.waitForURL(`**#/task/${taskOf(6)}`);
    await page.locator('#compare').waitFor();
    // Back to the queue it came from, filters and all.
    await page.keyboard.press('Escape');
    await page.waitForURL('**#/queue?band=high');
    await page.context().close();
  });
});
