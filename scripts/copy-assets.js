#!/usr/bin/env node
/**
 * After `tsc -p tsconfig.build.json`: copy what the compiled mediator reads from disk beside it —
 * the JSONata mappings and terminology of src/transforms and the steward page's static files — without
 * touching the compiled modules around them.
 *   node scripts/copy-assets.js [OUT_DIR]   (default: dist)
 */
'use strict';
const { cpSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const ASSETS = ['src/transforms/mappings', 'src/transforms/terminology', 'src/transforms/README.md', 'src/steward/public'];

const outDir = process.argv[2] ?? join(root, 'dist');
for (const rel of ASSETS) {
  const to = join(outDir, rel);
  rmSync(to, { recursive: true, force: true });
  cpSync(join(root, rel), to, { recursive: true });
}
console.log(`copied ${ASSETS.length} asset paths into ${outDir}`);
