/**
 * The steward page's golden record in Debian's Chromium, against the mediator on the local stack
 * with generated duplicates: a record's history told in the steward's words (operations and changed
 * fields), not the registry's.
 */
import type { Browser, Page } from 'playwright-core';
import type { RegistryService } from '../../../src/registry/api';
import { generateDuplicates } from '../../helpers/duplicates';
import type { GeneratedPair } from '../../helpers/duplicates';
import { launchChromium, stewardContext } from '../../helpers/browser';
import { signIn, startStewardStack } from '../../helpers/steward-stack';
import type { StewardStack } from '../../helpers/steward-stack';

jest.setTimeout(120_000);

describe('steward page: search and golden records (Chromium, local stack)', () => {
  let env: StewardStack;
  let browser: Browser;
  let pairs: GeneratedPair[];
  const registry = (): RegistryService => env.app.registry.service;

  beforeAll(async () => {
    env = await startStewardStack();
    pairs = await generateDuplicates(registry(), 4);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  async function openAs(user: string, hash: string, locale = 'en-GB'): Promise<Page> {
    const context = await stewardContext(browser, locale);
    const page = await context.newPage();
    await signIn(page, `${env.pageUrl}${hash}`, user);
    return page;
  }

  test('history: every operation and changed field in the steward\'s language, never the registry\'s name for it', async () => {
    const pair = pairs[3] as GeneratedPair;
    const actor = { clientId: 'test-steward' };
    await registry().addIdentifier(pair.candidateMpiId, { system: 'urn:passerelle:test:cni', value: 'CNI1234567' }, actor);
    await registry().patchGolden(pair.candidateMpiId, { telecom: [{ system: 'phone', value: '+221770000003' }] }, actor);
    const page = await openAs('awa', `#/record/${pair.candidateMpiId}`, 'fr-FR');
    const rows = page.locator('#history tbody tr');
    await rows.nth(2).waitFor();
    // Newest first: the edit, the identifier added, the golden record's creation by a registration.
    expect(await rows.nth(0).locator('td').nth(2).textContent()).toBe('modification manuelle');
    expect(await rows.nth(0).locator('td').nth(3).textContent()).toBe('Téléphone ou courriel');
    expect(await rows.nth(1).locator('td').nth(2).textContent()).toBe('ajout d’identifiant');
    expect(await rows.nth(1).locator('td').nth(3).textContent()).toBe('Identifiants');
    const registered = await rows.last().textContent();
    expect(registered).toContain('création');
    expect(registered).toContain('Date de naissance');
    expect(registered).toContain('Nom et prénoms');
    expect(await page.locator('#history').textContent()).not.toMatch(/\b(birthDate|telecom|identifier|link|patch|add-identifier|create)\b/);
    await page.context().close();
  });
});
