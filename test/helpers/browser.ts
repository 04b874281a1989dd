/**
 * Debian's Chromium driven by playwright-core (no browser download: the executable is the one
 * scripts/lib/ensure-chromium.sh installs). The flags keep it from reaching for the network — the
 * machine's network is closed and Chromium otherwise stalls on refused background connections.
 * playwright's `launch` gives every run a fresh, temporary profile (its own --user-data-dir).
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, BrowserContextOptions } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

/** Launch Chromium; throws with the fix when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/test.sh (it installs Debian's chromium package) or apt-get install chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, timeout: 30_000 });
}

/**
 * A browser context (a separate steward: own cookies, storage and memory) in a language.
 * @param browser - the browser
 * @param locale - e.g. `fr-FR` or `en-GB` (sets navigator.languages and Accept-Language)
 * @param opts - more context options (viewport…)
 */
export async function stewardContext(browser: Browser, locale: string, opts: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ locale, viewport: { width: 1366, height: 768 }, timezoneId: 'Africa/Dakar', ...opts });
  context.setDefaultTimeout(15_000);
  return context;
}
