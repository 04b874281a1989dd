/**
 * The steward page in French and English, usable by everyone (axe-core's WCAG 2 AA rules, laptop
 * and tablet layouts, keyboard focus), its security policy (no violation while it works), what a
 * steward without the review scope sees, and the PKCE check of the identity provider.
 * With STEWARD_SCREENSHOTS=<dir>, the queue and a task are saved there in both languages.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { generateDuplicates } from '../../helpers/duplicates';
import type { GeneratedPair } from '../../helpers/duplicates';
import { launchChromium, stewardContext } from '../../helpers/browser';
import { STEWARD_CLIENT_ID, signIn, startStewardStack } from '../../helpers/steward-stack';
import type { StewardStack } from '../../helpers/steward-stack';

jest.setTimeout(120_000);

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = process.env.STEWARD_SCREENSHOTS;

interface AxeViolation { id: string; impact: string; nodes: Array<{ target: string[] }> }

/** Run axe-core's WCAG 2.0/2.1 A and AA rules on the page as it stands. */
async function axeViolations(page: Page): Promise<Array<{ id: string; impact: string; targets: string[] }>> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(AXE);
  const result = await page.evaluate<{ violations: AxeViolation[] }>("axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })");
  return result.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
}

/**
 * A screenshot of the whole page with the viewport as tall as the page. (A full-page shot keeps
 * the viewport's height, and the decision bar, sticky at its bottom, covered the candidates'
 * sources.) Checks that the sources are clear of the bar, which is what the shot is for.
 */
async function shootWholePage(page: Page, path: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1366, height: 768 };
  const height = await page.evaluate<number>('document.documentElement.scrollHeight');
  await page.setViewportSize({ width: size.width, height: Math.max(size.height, height) });
  expect(await page.evaluate<boolean>("document.querySelector('.sources-grid').getBoundingClientRect().bottom <= document.querySelector('.actions').getBoundingClientRect().top")).toBe(true);
  await page.screenshot({ path });
  await page.setViewportSize(size);
}

async function noHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth');
}

/**
 * Sign in up to the provider's redirect back to the page, and hold that redirect (it carries the
 * code): the page never sees the code, so it cannot redeem it. A route never sees the target of a
 * redirect, so the provider's answer to the sign-in form is taken instead.
 * @returns the code and the PKCE verifier the page put aside for it (its sessionStorage)
 */
async function heldSignIn(page: Page, env: StewardStack): Promise<{ code: string; verifier: string }> {
  let code = '';
  await page.route(`${env.idp.issuer}/authorize`, async (route) => {
    if (route.request().method() !== 'POST') return route.continue();
    const answer = await route.fetch({ maxRedirects: 0 });
    code = new URL(answer.headers().location ?? '', env.pageUrl).searchParams.get('code') ?? '';
    return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>held</title>' });
  });
  await page.goto(`${env.pageUrl}#/queue`);
  await page.locator('#signin').click();
  await page.locator('#username').fill('awa');
  await page.locator('button[type=submit]').click();
  await page.waitForFunction("document.title === 'held'");
  expect(code).toMatch(/^[A-Za-z0-9_-]{32}$/);
  // Back on the page, still signed out: the verifier waits in this tab's sessionStorage.
  await page.goto(`${env.pageUrl}#/queue`);
  await page.locator('#signin').waitFor();
  const pending = JSON.parse(await page.evaluate<string>("sessionStorage.getItem('passerelle.steward.pkce')")) as { verifier: string };
  return { code, verifier: pending.verifier };
}

/** Redeem an authorization code at the provider's token endpoint, as the page does. */
async function redeemCode(env: StewardStack, code: string, verifier: string): Promise<{ status: number; body: { access_token?: string; error?: string } }> {
  const res = await fetch(`${env.idp.issuer}/token`, {
    method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: env.pageUrl, client_id: STEWARD_CLIENT_ID, code_verifier: verifier }),
  });
  return { status: res.status, body: (await res.json()) as { access_token?: string; error?: string } };
}

describe('steward page: French and English, accessibility, security policy (Chromium, local stack)', () => {
  let env: StewardStack;
  let browser: Browser;
  let pairs: GeneratedPair[];

  beforeAll(async () => {
    env = await startStewardStack();
    pairs = await generateDuplicates(env.app.registry.service, 6);
    // A merge in force, so a golden record shows its merges (with Unmerge) to axe-core.
    const merged = pairs[5] as GeneratedPair;
    await env.app.registry.service.resolveReview(merged.taskId, { action: 'merge', mpiId: merged.candidateMpiId, reason: 'duplicate registration' }, { clientId: 'test-steward' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  test.each([
    ['fr-FR', 'fr', 'File de revue', 'Doublon possible', 'orthographe très proche', /0,\d\d/],
    ['en-GB', 'en', 'Review queue', 'Possible duplicate', 'very close spelling', /0\.\d\d/],
  ])('%s: language from the browser, every label in it, numbers and dates in its format', async (locale, lang, queueTitle, taskTitle, level, score) => {
    const context = await stewardContext(browser, locale);
    const page = await context.newPage();
    const cspErrors: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    await signIn(page, `${env.pageUrl}#/queue`, 'awa');
    await page.locator('h1', { hasText: queueTitle }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe(lang);
    expect(await page.locator('table.tasks tbody tr').first().locator('td.num').first().textContent()).toMatch(score);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, `queue-${lang}.png`) });
    await page.goto(`${env.pageUrl}#/task/${pairs[1]?.taskId}`);
    await page.locator('h1', { hasText: taskTitle }).waitFor();
    expect(await page.locator('#compare').textContent()).toContain(level);
    expect(await page.locator('.task > p.muted').textContent()).toMatch(lang === 'fr' ? /Créée le \d{1,2} \S+\.? \d{4}/ : /Created \d{1,2} \S+ \d{4}/);
    if (SHOTS) await shootWholePage(page, join(SHOTS, `task-${lang}.png`));
    expect(cspErrors).toEqual([]);
    await context.close();
  });

  test('the switch changes the language and keeps it; nothing is left untranslated', async () => {
    const context = await stewardContext(browser, 'en-GB');
    const page = await context.newPage();
    await signIn(page, `${env.pageUrl}#/task/${pairs[0]?.taskId}`, 'awa');
    await page.locator('h1', { hasText: 'Possible duplicate' }).waitFor();
    await page.locator('#lang').selectOption('fr');
    await page.locator('h1', { hasText: 'Doublon possible' }).waitFor();
    const text = (await page.locator('body').innerText()).replace(/\s+/g, ' ');
    // Message keys never show: every label exists in French.
    expect(text).not.toMatch(/\b(task|queue|field|level|record|search|dialog)\.[a-zA-Z]/);
    expect(text).toContain('Lier');
    expect(text).toContain('Pas un doublon');
    await page.keyboard.press('x');
    expect(await page.locator('#decide-title').textContent()).toContain('Pas un doublon');
    await page.keyboard.press('Escape');
    await context.close();
  });

  test.each([
    ['laptop 1366×768', { width: 1366, height: 768 }],
    ['tablet 768×1024', { width: 768, height: 1024 }],
  ])('%s: no WCAG 2 AA violation (axe-core), no sideways scrolling, the decisions in view', async (_name, viewport) => {
    const context = await stewardContext(browser, 'fr-FR', { viewport });
    const page = await context.newPage();
    await signIn(page, `${env.pageUrl}#/queue`, 'awa');
    await page.locator('table.tasks').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.goto(`${env.pageUrl}#/task/${pairs[4]?.taskId}`);
    await page.locator('#compare').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    expect(await noHorizontalScroll(page)).toBe(true);
    for (const id of ['#act-link', '#act-not-a-match', '#act-merge']) expect(await page.locator(id).isVisible()).toBe(true);
    const box = await page.locator('#act-merge').boundingBox();
    expect(box && box.y + box.height <= viewport.height).toBe(true);
    await page.keyboard.press('m');
    await page.locator('#reason').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await context.close();
  });

  test.each(['fr-FR', 'en-GB'])('%s: no WCAG 2 AA violation (axe-core) on the queue, a task, the reason dialog, search results and a golden record', async (locale) => {
    const context = await stewardContext(browser, locale);
    const page = await context.newPage();
    await signIn(page, `${env.pageUrl}#/queue`, 'awa');
    const task = `#/task/${pairs[2]?.taskId}`;
    const views: Array<[string, string]> = [
      ['#/queue', 'table.tasks'], [task, '#compare'],
      [`#/search?q=${encodeURIComponent(pairs[2]?.first.name?.[0]?.family ?? '')}`, '#results li'],
      [`#/record/${pairs[5]?.candidateMpiId}`, '#merges button'],
    ];
    const violations: Record<string, unknown[]> = {};
    for (const [hash, drawn] of views) {
      await page.goto(`${env.pageUrl}${hash}`);
      await page.locator(drawn).first().waitFor();
      violations[hash] = await axeViolations(page);
    }
    await page.goto(`${env.pageUrl}${task}`);
    await page.locator('#compare').waitFor();
    await page.keyboard.press('l');
    await page.locator('#reason').waitFor();
    violations.dialog = await axeViolations(page);
    expect(violations).toEqual(Object.fromEntries(Object.keys(violations).map((view) => [view, []])));
    await context.close();
  });

  test('visible focus: Tab reaches the controls in order and the focused one is outlined', async () => {
    const context = await stewardContext(browser, 'en-GB');
    const page = await context.newPage();
    await signIn(page, `${env.pageUrl}#/task/${pairs[4]?.taskId}`, 'awa');
    await page.locator('#compare').waitFor();
    await page.keyboard.press('Tab');
    const outline = await page.evaluate<string>('getComputedStyle(document.activeElement).outlineStyle + " " + getComputedStyle(document.activeElement).outlineWidth');
    expect(outline).toMatch(/solid 3px/);
    await context.close();
  });

  test('the access token stays in memory: not in localStorage, sessionStorage or a cookie; the PKCE verifier is gone', async () => {
    const context = await stewardContext(browser, 'en-GB');
    const page = await context.newPage();
    const token = await signIn(page, `${env.pageUrl}#/queue`, 'awa');
    await page.locator('table.tasks').waitFor();
    // The one thing the page keeps: the language chosen with the switch.
    await page.locator('#lang').selectOption('fr');
    await page.locator('h1', { hasText: 'File de revue' }).waitFor();
    const stored = await page.evaluate<{ local: Record<string, string>; session: Record<string, string> }>('({ local: { ...localStorage }, session: { ...sessionStorage } })');
    expect(stored).toEqual({ local: { 'passerelle.steward.lang': 'fr' }, session: {} });
    // Not the token, nor its claims (the middle part), anywhere the browser keeps.
    const kept = JSON.stringify([stored, await context.cookies()]);
    expect(token.split('.')).toHaveLength(3);
    for (const part of [token, token.split('.')[1] as string]) expect(kept).not.toContain(part);
    await context.close();
  });

  test('a steward without mpi/review can search but not decide; the API refuses decisions too', async () => {
    const context = await stewardContext(browser, 'en-GB');
    const page = await context.newPage();
    const token = await signIn(page, `${env.pageUrl}#/queue`, 'reader');
    await page.locator('.notice', { hasText: 'cannot decide review tasks' }).waitFor();
    await page.keyboard.press('/');
    await page.keyboard.type(pairs[0]?.first.name?.[0]?.family ?? '');
    await page.keyboard.press('Enter');
    await page.locator('#results li').first().waitFor();
    await page.locator('#results a').first().focus();
    await page.keyboard.press('Enter');
    await page.locator('#sources').waitFor();
    expect(await page.locator('#merges button').count()).toBe(0);
    // The API, called with the reader's own token, refuses the decision the page does not offer.
    const taskId = pairs[0]?.taskId ?? '';
    const res = await fetch(new URL(`/mpi/reviews/${taskId}/resolve`, env.pageUrl), {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'not-a-match', reason: 'a reader trying to decide' }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ type: 'urn:passerelle:problem:forbidden', status: 403 });
    expect((await env.app.registry.service.getReview(taskId))?.state).toBe('open');
    await context.close();
  });

  test('the identity provider checks PKCE for real: a wrong verifier gets no token, the right one does, once', async () => {
    const context = await stewardContext(browser, 'en-GB');
    const { code, verifier } = await heldSignIn(await context.newPage(), env);
    const before = env.idp.tokenRequests.length;
    expect(await redeemCode(env, code, 'x'.repeat(43))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(env.idp.tokenRequests.at(-1)).toMatchObject({ status: 400, error: 'invalid_grant', why: 'PKCE verifier' });
    const granted = await redeemCode(env, code, verifier);
    expect(granted.status).toBe(200);
    const counts = await fetch(new URL('/mpi/reviews/counts', env.pageUrl), { headers: { authorization: `Bearer ${granted.body.access_token}` } });
    expect(counts.status).toBe(200);
    expect(await redeemCode(env, code, verifier)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(env.idp.tokenRequests.at(-1)).toMatchObject({ why: 'code already redeemed' });
    // Exactly these three requests: the page itself never redeemed the held code.
    expect(env.idp.tokenRequests.slice(before).map((r) => r.status)).toEqual([400, 200, 400]);
    await context.close();
  });
});
