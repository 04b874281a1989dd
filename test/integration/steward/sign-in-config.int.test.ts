/**
 * How the mediator tells the steward page to sign in: the identity provider's endpoints read from
 * its discovery document (a real provider on loopback), the token endpoint's origin as the one
 * foreign origin of the page's policy, and a clear "cannot be reached" while the provider is down.
 */
import { launchChromium, stewardContext } from '../../helpers/browser';
import { STEWARD_CLIENT_ID, startStewardStack } from '../../helpers/steward-stack';
import type { StewardStack } from '../../helpers/steward-stack';

jest.setTimeout(120_000);

describe('steward sign-in settings from the identity provider', () => {
  let env: StewardStack;
  beforeAll(async () => {
    env = await startStewardStack({}, 'memory');
  });
  afterAll(async () => env?.close());

  test('config.json names the provider\'s endpoints; the page may reach its token endpoint and nothing else foreign', async () => {
    const res = await env.app.server.inject('/steward/config.json');
    expect(JSON.parse(res.payload)).toEqual({
      sign_in: 'oauth', issuer: env.idp.issuer, authorization_endpoint: `${env.idp.issuer}/authorize`, token_endpoint: `${env.idp.issuer}/token`,
      client_id: STEWARD_CLIENT_ID, redirect_uri: env.pageUrl, scope: 'openid mpi/review system/Patient.read',
    });
    const page = await env.app.server.inject('/steward');
    expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ${env.idp.issuer};`);
  });

  test('while the provider cannot be reached: 503 with Retry-After, and the page says so', async () => {
    const down = await startStewardStack({ AUTH_ISSUER: 'http://127.0.0.1:9', AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks' }, 'memory');
    try {
      const res = await down.app.server.inject('/steward/config.json');
      expect(res.statusCode).toBe(503);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      const browser = await launchChromium();
      const page = await (await stewardContext(browser, 'fr-FR')).newPage();
      await page.goto(down.pageUrl);
      await page.locator('.notice', { hasText: 'Le fournisseur d’identité est injoignable' }).waitFor();
      await browser.close();
    } finally {
      await down.close();
    }
  });
});
