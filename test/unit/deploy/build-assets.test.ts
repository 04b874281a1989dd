/**
 * The built mediator (`npm run build`, the image's `node dist/src/main.js`) reads some files from
 * disk beside its modules; scripts/copy-assets.js copies them into dist/. A data file added under
 * src/ without being listed there starts in development and fails at start in production (the
 * regional name table did: "ENOENT … dist/src/registry/matching/names/regional-names.txt").
 */
import { readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const root = join(__dirname, '..', '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the build script is plain CommonJS
const { ASSETS } = require(join(root, 'scripts', 'copy-assets.js')) as { ASSETS: string[] };

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

test('every file under src/ that is not TypeScript is copied into the build', () => {
  const data = filesUnder(join(root, 'src')).filter((f) => !f.endsWith('.ts')).map((f) => relative(root, f).split(sep).join('/'));
  expect(data.length).toBeGreaterThan(0);
  const missing = data.filter((f) => !ASSETS.some((a) => f === a || f.startsWith(`${a}/`)));
  expect(missing).toEqual([]);
});
