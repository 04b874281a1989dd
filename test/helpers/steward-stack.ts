/**
 * The whole mediator on the local stack, listening on a free loopback port, with stewards signing in
 * at a fake ministry identity provider (a real HTTP server, see fake-idp.ts); plus the helpers a
 * browser test needs to sign a steward in.
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium, stewardContext } from './browser';
import { generateDuplicates } from './duplicates';
import type { GeneratedPair } from './duplicates';
import { startFakeIdp } from './fake-idp';
import type { FakeIdp, IdpUser } from './fake-idp';
import type { App } from '../../src/app';
import { buildTestApp } from './app';
import { freePort } from './fake-openhim-core';
import { buildStackApp } from './stack-app';

export const STEWARD_CLIENT_ID = 'passerelle-steward';
export const API_AUDIENCE = 'passerelle-api';

/** The people of the tests' ministry. */
export const USERS: Record<string, IdpUser> = {
  awa: { sub: 'f3b1c2d4-awa', name: 'Awa Ndiaye', scopes: ['mpi/review', 'system/Patient.read'] },
  binta: { sub: '7a9e0c11-binta', name: 'Binta Sow', scopes: ['mpi/review', 'system/Patient.read'] },
  reader: { sub: '0c5d2e77-reader', name: 'Moussa Fall', scopes: ['system/Patient.read'] },
};

export interface StewardStack {
  /** The running mediator (on the local stack, or on the registry's memory twin). */
  app: App;
  idp: FakeIdp;
  /** The page's address, e.g. http://127.0.0.1:41234/steward */
  pageUrl: string;
  close(): Promise<void>;
}

/**
 * Start the identity provider and the mediator (AUTH_MODE=jwt, its tokens trusted).
 * @param env - more configuration
 * @param store - `stack`: MongoDB and Kafka of the local stack; `memory`: the registry's memory twin
 *   (for a queue of 1,000 tasks, which takes minutes to register on the stand-in)
 */
export async function startStewardStack(env: Record<string, string> = {}, store: 'stack' | 'memory' = 'stack'): Promise<StewardStack> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const idp = await startFakeIdp({ clientId: STEWARD_CLIENT_ID, redirectUris: [`${origin}/steward`], allowedOrigins: [origin], audience: API_AUDIENCE, users: USERS });
  const settings = {
    AUTH_MODE: 'jwt', AUTH_ISSUER: idp.issuer, AUTH_JWKS_URL: idp.jwksUrl, AUTH_AUDIENCE: API_AUDIENCE, STEWARD_CLIENT_ID,
    HOST: '127.0.0.1', PORT: String(port), PUBLIC_BASE_URL: origin, LOG_LEVEL: 'warn', ...env,
  };
  const running: { app: App; close(): Promise<void> } = store === 'stack'
    ? await buildStackApp(settings, { listen: true })
    : await buildTestApp(settings, { listen: true }).then((app) => ({ app, close: () => app.stop() }));
  return {
    app: running.app, idp, pageUrl: `${origin}/steward`,
    async close(): Promise<void> {
      await running.close();
      await idp.close();
    },
  };
}

/**
 * Open the page and sign in at the identity provider as `username` (keyboard only: Tab/Enter).
 * @param page - a browser page
 * @param url - the page's address (with a hash to land on)
 * @param username - one of USERS
 * @returns the access token the page received, read off the wire: the page keeps it in memory
 *   only, where a test cannot reach it
 */
export async function signIn(page: Page, url: string, username: string): Promise<string> {
  const tokenAnswer = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/token'))
    .then(async (r) => (await r.json()) as { access_token?: unknown })
    .catch(() => null);
  await page.goto(url);
  await page.locator('#signin').waitFor();
  await page.keyboard.press('Enter');
  await page.locator('#username').waitFor();
  await page.keyboard.type(username);
  await page.keyboard.press('Enter');
  await page.locator('#user').filter({ hasText: USERS[username]?.name ?? username }).waitFor();
  const answer = await tokenAnswer;
  if (typeof answer?.access_token !== 'string') throw new Error(`signing in as ${username}: no access token was seen`);
  return answer.access_token;
}

/**
 * A property of the focused element, read in the page (e.g. `id`, or `closest('tr')?.id`).
 * @param page - the page
 * @param path - what to read from `document.activeElement`
 */
export async function focused(page: Page, path: string): Promise<unknown> {
  return page.evaluate(`document.activeElement?.${path}`);
}

/** What a browser test of the page works with, set in its beforeAll. */
export interface StewardSession {
  env: StewardStack;
  browser: Browser;
  /** The generated duplicate pairs, each with its review task. */
  pairs: GeneratedPair[];
  /** A steward signed in on a browser context of their own, landed on `hash`. */
  openAs(user: string, hash?: string, locale?: string): Promise<Page>;
}

/**
 * Start the mediator on the local stack with `pairCount` generated duplicates and Chromium for the
 * file's tests (beforeAll), and stop both after them (afterAll).
 * @param pairCount - duplicate pairs to generate
 * @param prepare - more set-up once the pairs exist (e.g. back-dating tasks)
 */
export function useStewardBrowser(pairCount: number, prepare?: (s: StewardSession) => Promise<void>): StewardSession {
  const session = {
    openAs: async (user: string, hash = '#/queue', locale = 'en-GB'): Promise<Page> => {
      const page = await (await stewardContext(session.browser, locale)).newPage();
      await signIn(page, `${session.env.pageUrl}${hash}`, user);
      return page;
    },
  } as StewardSession;
  beforeAll(async () => {
    session.env = await startStewardStack();
    session.pairs = await generateDuplicates(session.env.app.registry.service, pairCount);
    await prepare?.(session);
    session.browser = await launchChromium();
  });
  afterAll(async () => {
    await session.browser?.close();
    await session.env?.close();
  });
  return session;
}
