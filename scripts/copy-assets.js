#!/usr/bin/env node
/**
 * After `tsc -p tsconfig.build.json`: copy what the compiled mediator reads from disk beside it —
 * the JSONata mappings and terminology of src/transforms, the steward page's static files and the
 * regional name table of the matcher — without touching the compiled modules around them.
 * test/unit/deploy/build-assets.test.ts checks that every file under src/ that is not TypeScript is listed.
 *   node scripts/copy-assets.js [OUT_DIR]   (default: dist)
 */
'use strict';
const { cpSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const ASSETS = ['src/transforms/mappings', 'src/transforms/terminology', 'src/transforms/README.md', 'src/steward/public', 'src/registry/matching/names'];

/**
 * Copy every asset path into `outDir`.
 * @param {string} outDir - the build's output directory
 */
function copyAssets(outDir) {
  for (const rel of ASSETS) {
    const to = join(outDir, rel);
    rmSync(to, { recursive: true, force: true });
    cpSync(join(root, rel), to, { recursive: true });
  }
  console.log(`copied ${ASSETS.length} asset paths into ${outDir}`);
}

if (require.main === module) copyAssets(process.argv[2] ?? join(root, 'dist'));

module.exports = { ASSETS };
