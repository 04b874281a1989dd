/**
 * The page's static files, read once at start from `public/` beside this module (copied into dist/
 * by `npm run build`). Each has a strong ETag so browsers revalidate instead of re-downloading;
 * index.html names its files under the page's path, so the page also works under a path prefix.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

/** One static file as served. */
export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Where the page's files are (next to this module in src/ and in dist/). */
export const PUBLIC_DIR = join(__dirname, 'public');

/** File names the asset route serves: lower-case words, one extension among those above. */
export const ASSET_NAME = /^[a-z0-9-]{1,40}\.(js|css|svg)$/;

/**
 * Load every servable file of the directory.
 * @param dir - the page's directory
 * @param basePath - the page's path (e.g. `/steward`), written into index.html's file addresses
 */
export function loadAssets(dir: string, basePath: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type || (name !== 'index.html' && !ASSET_NAME.test(name))) continue;
    let body = readFileSync(join(dir, name));
    if (name === 'index.html') body = Buffer.from(body.toString('utf8').replaceAll('%BASE%', basePath));
    assets.set(name, { body, type, etag: createHash('sha256').update(body).digest('base64url').slice(0, 22) });
  }
  if (!assets.has('index.html')) throw new Error(`steward page: no index.html in ${dir} (was it copied by the build?)`);
  return assets;
}
