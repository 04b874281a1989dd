/**
 * The steward page's search and golden record in Debian's Chromium, against the mediator on the
 * local stack with generated duplicates: every kind of search the box takes, and a record's history
 * told in the steward's words (operations and changed fields), not the registry's.
 */
import type { Page } from 'playwright-core';
import type { RegistryService } from '../../../src/registry/api';
import type { GeneratedPair } from '../../helpers/duplicates';
import { useStewardBrowser } from '../../helpers/steward-stack';

jest.setTimeout(120_000);

describe('steward page: search and golden records (Chromium, local stack)', () => {
  const s = useStewardBrowser(4);
  const { openAs } = s;
  const registry = (): RegistryService => s.env.app.registry.service;

  /** Type into the search box (reached with `/`) and send it. */
  async function search(page: Page, text: string): Promise<void> {
    await page.keyboard.press('/');
    await page.locator('#search-q').fill(text);
    await page.keyboard.press('Enter');
  }

  test.each([
    ['a birth date', (p: GeneratedPair): string => p.first.birthDate ?? ''],
    ['an identifier', (p: GeneratedPair): string => p.first.identifier?.[0]?.value ?? ''],
    ['an MPI ID (typed in lower case)', (p: GeneratedPair): string => p.candidateMpiId.toLowerCase()],
  ])('search by %s: the one person found opens as their golden record', async (_kind, typed) => {
    const pair = s.pairs[1] as GeneratedPair;
    const page = await openAs('awa', '#/queue');
    await page.locator('table.tasks').waitFor();
    await search(page, typed(pair));
    await page.waitForURL(`**#/record/${pair.candidateMpiId}`);
    await page.locator('h1', { hasText: `Golden record ${pair.candidateMpiId}` }).waitFor();
    expect(await page.locator('#sources').textContent()).toContain(pair.first.identifier?.[0]?.value);
    // The search was replaced by the record: Back leaves it rather than searching again.
    await page.goBack();
    await page.waitForURL('**#/queue');
    await page.context().close();
  });

  test('search by name: both records of a pair are listed and either one opens', async () => {
    const pair = s.pairs[2] as GeneratedPair;
    const page = await openAs('awa', '#/queue');
    await page.locator('table.tasks').waitFor();
    await search(page, pair.first.name?.[0]?.family ?? '');
    await page.locator('#results li').nth(1).waitFor();
    expect(await page.locator('#results li').count()).toBe(2);
    await page.locator(`#results a[href="#/record/${pair.candidateMpiId}"]`).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`**#/record/${pair.candidateMpiId}`);
    await page.context().close();
  });

  test('history: every operation and changed field in the steward\'s language, never the registry\'s name for it', async () => {
    const pair = s.pairs[3] as GeneratedPair;
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
