/**
 * The data-steward page at `/steward`: static files served by the mediator itself (no separate
 * server), and `/steward/config.json`, which tells the page how stewards sign in. Everything the
 * page shows comes from the MPI REST API with the steward's own token; these routes are public and
 * carry no personal data.
 */
import type { Plugin, Request, ResponseObject, ResponseToolkit, RouteOptions } from '@hapi/hapi';
import { MediatorError } from '../core/errors';
import type { Logger } from '../core/logger';
import { ASSET_NAME, PUBLIC_DIR, loadAssets } from './assets';
import type { Asset } from './assets';
import { IdpDiscovery } from './discovery';
import { secureHeaders } from './headers';
import type { StewardSettings } from './settings';

/** Options of {@link stewardPlugin}. */
export interface StewardOptions {
  settings: StewardSettings;
  logger: Logger;
  /** The page's directory (tests may point elsewhere). */
  publicDir?: string;
}

const PUBLIC_ROUTE: RouteOptions = { plugins: { passerelle: { public: true, audit: false } } };

function serveAsset(h: ResponseToolkit, asset: Asset, tokenEndpoint?: string): ResponseObject {
  // Revalidated on every load (ETag → 304), so a new release is never shadowed by a cached file.
  return secureHeaders(h.response(asset.body).type(asset.type).etag(asset.etag).header('Cache-Control', 'no-cache'), tokenEndpoint);
}

async function pageConfig(settings: StewardSettings, discovery: IdpDiscovery | null): Promise<Record<string, unknown>> {
  const s = settings.signIn;
  if (s.mode !== 'oauth' || !discovery) return { sign_in: s.mode };
  const idp = await discovery.endpoints();
  return {
    sign_in: 'oauth', issuer: idp.issuer, authorization_endpoint: idp.authorizationEndpoint, token_endpoint: idp.tokenEndpoint,
    ...(idp.endSessionEndpoint ? { end_session_endpoint: idp.endSessionEndpoint } : {}),
    client_id: s.clientId, redirect_uri: s.redirectUri, scope: s.scopes,
  };
}

export const stewardPlugin: Plugin<StewardOptions> = {
  name: 'passerelle-steward',
  register(server, opts) {
    const assets = loadAssets(opts.publicDir ?? PUBLIC_DIR, opts.settings.basePath);
    const s = opts.settings.signIn;
    const discovery = s.mode === 'oauth' ? new IdpDiscovery({ url: s.discoveryUrl, issuer: s.issuer, logger: opts.logger }) : null;
    // The policy names the token endpoint's origin, so the page waits for the provider's document
    // (briefly); when it cannot be read the page still loads and says that sign-in is unavailable.
    const tokenEndpoint = async (): Promise<string | undefined> =>
      discovery ? (await discovery.endpoints().catch(() => discovery.known()))?.tokenEndpoint : undefined;
    const index = assets.get('index.html') as Asset;

    server.route([
      { method: 'GET', path: '/steward', options: PUBLIC_ROUTE, handler: async (_r: Request, h) => serveAsset(h, index, await tokenEndpoint()) },
      {
        method: 'GET', path: '/steward/config.json', options: PUBLIC_ROUTE,
        handler: async (_r, h) => secureHeaders(h.response(await pageConfig(opts.settings, discovery)).header('Cache-Control', 'no-store')),
      },
      {
        method: 'GET', path: '/steward/{file}', options: PUBLIC_ROUTE,
        handler: (request, h) => {
          const name = String(request.params.file);
          const asset = ASSET_NAME.test(name) ? assets.get(name) : undefined;
          if (!asset) throw new MediatorError('not-found', 'No such file');
          return serveAsset(h, asset, discovery?.known()?.tokenEndpoint);
        },
      },
    ]);
  },
};
