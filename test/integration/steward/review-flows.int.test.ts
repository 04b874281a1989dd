/**
 * The data-steward page in Debian's Chromium, against the mediator on the local stack with
 * generated duplicates, stewards signing in at a fake ministry identity provider (authorization
 * code + PKCE). Every decision here is made with the keyboard alone.
 */
import type { Locator, Page } from 'playwright-core';
import type { RegistryService } from '../../../src/registry/api';
import { reviewOrder } from '../../../src/registry/review-filter';
import type { GeneratedPair } from '../../helpers/duplicates';
import { USERS, focused, useStewardBrowser } from '../../helpers/steward-stack';

jest.setTimeout(120_000);

describe('steward page: queue, evidence and decisions (Chromium, local stack)', () => {
  const s = useStewardBrowser(9);
  const { openAs } = s;
  const registry = (): RegistryService => s.env.app.registry.service;

  /** Decide the open task with the keyboard: the action's key, a reason, Tab to confirm, Enter. */
  async function decideWithKeys(page: Page, key: 'l' | 'x' | 'm', reason: string): Promise<void> {
    await page.keyboard.press(key);
    await page.locator('#reason').waitFor();
    await page.keyboard.type(reason);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('#outcome').waitFor();
  }

  test('sign-in with authorization code + PKCE; the queue lists the tasks oldest first with counts and filters', async () => {
    const page = await openAs('awa');
    await page.locator('h1', { hasText: 'Review queue' }).waitFor();
    const rows = page.locator('table.tasks tbody tr');
    expect(await rows.count()).toBe(9);
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-task')));
    // A page of registrations commits as one unit, so tasks raised in the same millisecond are
    // ordered by id: the queue's documented order, read from the registry.
    const tasks = await Promise.all(s.pairs.map(async (p) => registry().getReview(p.taskId)));
    const expected = tasks.flatMap((t) => (t ? [t] : [])).sort(reviewOrder).map((t) => t.id);
    expect(expected).toHaveLength(9);
    expect(ids).toEqual(expected);
    expect(await page.locator('#queue-summary').textContent()).toBe('9 tasks match the filters, oldest first.');
    expect(await page.locator('#f-band option').allTextContents()).toEqual(['All scores', 'High (3)', 'Medium (3)', 'Low (3)']);
    expect(await page.locator('#f-source option').allTextContents()).toEqual(['All systems', 'ihris (3)', 'ncr (3)', 'openmrs (3)']);
    await page.locator('#f-band').selectOption('high');
    await page.locator('#queue-summary', { hasText: '3 tasks' }).waitFor();
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-task')))).toEqual(s.pairs.filter((p) => p.index % 3 === 0).map((p) => p.taskId));
    await page.locator('#f-source').selectOption('ncr');
    await page.locator('#queue-summary', { hasText: '1 task match' }).waitFor();
    // The token was exchanged once, with a PKCE verifier the provider checked.
    expect(s.env.idp.tokenRequests.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(s.env.idp.tokenRequests.filter((r) => r.status !== 200)).toEqual([]);
    await page.context().close();
  });

  test('keyboard only: open the oldest task, read the per-field evidence, link; the steward is audited', async () => {
    const page = await openAs('awa');
    await page.locator('table.tasks').waitFor();
    await page.keyboard.press('ArrowDown');
    expect(await focused(page, "closest('tr')?.getAttribute('data-task')")).toBe(s.pairs[0]?.taskId);
    await page.keyboard.press('Enter');
    await page.locator('#compare').waitFor();
    const chip = (field: string): Locator => page.locator(`#compare .chip[data-field="${field}"]`);
    expect(await chip('given').getAttribute('data-verdict')).toBe('agree');
    expect(await chip('given').textContent()).toContain('very close spelling');
    expect(await chip('family').textContent()).toContain('identical');
    expect(await chip('birthDate').textContent()).toContain('one character differs');
    expect(await chip('state').getAttribute('data-verdict')).toBe('disagree');
    expect(await page.locator('#compare td.disagree').count()).toBeGreaterThan(0);
    const pair = s.pairs[0] as GeneratedPair;
    expect(await page.locator('.sources').first().textContent()).toContain(`TEI${String(pair.index).padStart(6, '0')}`);
    await decideWithKeys(page, 'l', 'Same person: name slip and birth day typo');
    expect(await page.locator('#outcome').textContent()).toContain(`linked by ${USERS.awa?.sub}`);
    expect(await focused(page, 'id')).toBe('next-task');
    const task = await registry().getReview(pair.taskId);
    expect(task?.resolution).toMatchObject({ action: 'link', mpiId: pair.candidateMpiId, by: { clientId: 'passerelle-steward', userId: USERS.awa?.sub } });
    await s.env.app.audit.writer.flush();
    const audit = await s.env.app.audit.store.search({ count: 200, offset: 0 });
    expect(audit.items.find((r) => r.operation === 'mpi.reviews.resolve' && r.httpStatus === 200)?.agent).toMatchObject({ clientId: 'passerelle-steward', userId: USERS.awa?.sub });
    // N goes on to the next task in the queue.
    await page.keyboard.press('n');
    await page.waitForURL(`**#/task/${s.pairs[1]?.taskId}`);
    await page.context().close();
  });

  test('not-a-match is remembered: the source sent again with new details raises no task for the pair', async () => {
    const pair = s.pairs[1] as GeneratedPair;
    const page = await openAs('awa', `#/task/${pair.taskId}`);
    await page.locator('#compare').waitFor();
    await decideWithKeys(page, 'x', 'Different mothers, different villages');
    expect(await page.locator('#outcome').textContent()).toContain('not a match');
    const again = await registry().registerSource({ patient: { ...pair.second, telecom: [{ system: 'phone', value: '+221700000001' }] }, sourceSystem: pair.secondSource, actor: { clientId: 'test-loader' } });
    expect(again.outcome).not.toBe('review');
    await page.goto(`${s.env.pageUrl}#/queue`);
    await page.locator('table.tasks').waitFor();
    const open = await registry().listReviews({ state: 'open', offset: 0, count: 100 });
    expect(open.items.filter((t) => t.candidates.some((c) => c.mpiId === pair.candidateMpiId))).toEqual([]);
    expect(await page.locator(`tr[data-task="${pair.taskId}"]`).count()).toBe(0);
    await page.context().close();
  });

  test('merge from a task, then unmerge from the golden record\'s history', async () => {
    const pair = s.pairs[2] as GeneratedPair;
    const page = await openAs('awa', `#/task/${pair.taskId}`);
    await page.locator('#compare').waitFor();
    await decideWithKeys(page, 'm', 'Duplicate registration at the district hospital');
    expect(await page.locator('#outcome').textContent()).toContain('merged');
    await page.locator('#outcome a').focus();
    await page.keyboard.press('Enter');
    await page.locator('h1', { hasText: `Golden record ${pair.candidateMpiId}` }).waitFor();
    const unmerge = page.locator('#merges button[data-unmerge]');
    expect(await unmerge.count()).toBe(1);
    expect(await page.locator('#history').textContent()).toContain('review: merge');
    await unmerge.focus();
    await page.keyboard.press('Enter');
    await page.locator('#reason').waitFor();
    await page.keyboard.type('Merged by mistake: twins');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.locator('#merges').waitFor({ state: 'detached' });
    expect(await page.locator('#history tbody tr').first().textContent()).toContain('unmerge');
    expect(await page.locator('#history tbody tr').first().textContent()).toContain(USERS.awa?.sub);
    const retired = (await registry().getSource((await registry().getReview(pair.taskId))?.sourceKey ?? ''))?.goldenId as string;
    expect((await registry().getGolden(retired))?.golden.status).toBe('active');
    await page.context().close();
  });

  test('a decision needs a reason: sent empty or too short, the dialog says so and nothing is sent or resolved', async () => {
    const pair = s.pairs[5] as GeneratedPair;
    const page = await openAs('awa', `#/task/${pair.taskId}`);
    await page.locator('#compare').waitFor();
    const resolveCalls: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/resolve')) resolveCalls.push(r.url());
    });
    await page.keyboard.press('l');
    await page.locator('#reason').waitFor();
    for (const reason of ['', '  ok ']) {
      await page.keyboard.type(reason);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      await page.locator('#decide-error', { hasText: 'Give a reason of at least 3 characters.' }).waitFor();
      expect(await page.locator('#reason').getAttribute('aria-invalid')).toBe('true');
      expect(await focused(page, 'id')).toBe('reason');
    }
    await page.keyboard.press('Escape');
    await page.locator('#decide').waitFor({ state: 'hidden' });
    expect(resolveCalls).toEqual([]);
    expect(await page.locator('#outcome').count()).toBe(0);
    expect((await registry().getReview(pair.taskId))?.state).toBe('open');
    await page.context().close();
  });

  test('when the API no longer accepts the token, the page asks to sign in again and comes back to the same task', async () => {
    const pair = s.pairs[4] as GeneratedPair;
    const page = await openAs('awa', `#/task/${pair.taskId}`);
    await page.locator('#compare').waitFor();
    // The provider's token outlives this test; the API's answer for an expired one is played instead.
    await page.route('**/mpi/reviews/**', (route) => route.fulfill({ status: 401, contentType: 'application/problem+json', body: '{"status":401}' }), { times: 1 });
    // Any call now meets the 401: switching the language redraws the task.
    await page.locator('#lang').selectOption('fr');
    await page.locator('.notice', { hasText: 'Votre session a pris fin' }).waitFor();
    await page.keyboard.press('Enter');
    await page.locator('#username').waitFor();
    await page.keyboard.type('awa');
    await page.keyboard.press('Enter');
    await page.locator('#compare').waitFor();
    expect(page.url()).toContain(`#/task/${pair.taskId}`);
    await page.context().close();
  });

  test('two stewards on one task: one decision wins, the other steward sees it and cannot overwrite it', async () => {
    const pair = s.pairs[3] as GeneratedPair;
    const awa = await openAs('awa', `#/task/${pair.taskId}`);
    const binta = await openAs('binta', `#/task/${pair.taskId}`);
    await awa.locator('#compare').waitFor();
    await binta.locator('#compare').waitFor();
    await decideWithKeys(awa, 'l', 'Same person');
    await decideWithKeys(binta, 'x', 'I think these are different people');
    const banner = await binta.locator('#outcome').textContent();
    expect(banner).toContain('Another steward resolved this task first');
    expect(banner).toContain(`linked by ${USERS.awa?.sub}`);
    expect(await binta.locator('#act-link').count()).toBe(0);
    expect((await registry().getReview(pair.taskId))?.resolution).toMatchObject({ action: 'link', by: { userId: USERS.awa?.sub } });
    await awa.context().close();
    await binta.context().close();
  });
});
