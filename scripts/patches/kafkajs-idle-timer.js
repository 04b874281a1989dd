'use strict';
// kafkajs 2.2.4 RequestQueue fix, applied to node_modules at install (package.json "postinstall",
// scripts/lib/ensure-deps.sh, the Dockerfile). Documented in scripts/patches/README.md.
//
// Upstream bug (tulios/kafkajs#1751, #1704; fix PRs #1755/#1768 never merged): when no request is
// pending and the queue is not throttled, scheduleCheckPendingRequests() arms
// setTimeout(check, throttledUntil - Date.now()) with throttledUntil = -1, i.e. a delay of about
// -1.8e12 ms. Node 24 warns (TimeoutNegativeWarning) and clamps it to 1 ms, and the check re-arms
// itself: every connection polls an empty queue every millisecond for as long as it lives. The fix
// arms no timer when nothing is pending and no throttle is running; a pushed request or a fulfilled
// one calls checkPendingRequests() itself, so nothing waits on the removed timer.
//
//   node scripts/patches/kafkajs-idle-timer.js           apply (idempotent)
//   node scripts/patches/kafkajs-idle-timer.js --check   exit 1 unless the installed file is patched
const fs = require('node:fs');
const path = require('node:path');

const VERSION = '2.2.4';
const ORIGINAL = `    let scheduleAt = this.throttledUntil - Date.now()
    if (!this.throttleCheckTimeoutId) {
      if (this.pending.length > 0) {
        scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL
      }
`;
const PATCHED = `    let scheduleAt = this.throttledUntil - Date.now()
    if (!this.throttleCheckTimeoutId) {
      if (this.pending.length > 0) {
        scheduleAt = scheduleAt > 0 ? scheduleAt : CHECK_PENDING_REQUESTS_INTERVAL
      } else if (scheduleAt <= 0) {
        // passerelle patch (scripts/patches/kafkajs-idle-timer.js, kafkajs#1751): nothing pending,
        // not throttled: no timer (upstream armed a negative one that re-armed every millisecond)
        return
      }
`;

function locate(root) {
  let dir;
  try {
    dir = path.dirname(require.resolve('kafkajs/package.json', { paths: [root] }));
  } catch {
    return null;
  }
  return { version: JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version, file: path.join(dir, 'src', 'network', 'requestQueue', 'index.js') };
}

/**
 * Patch the kafkajs installed under `root`.
 * @returns {'patched'|'already'|'absent'} what was done
 */
function apply(root) {
  const target = locate(root);
  if (!target) return 'absent';
  if (target.version !== VERSION) {
    throw new Error(`kafkajs ${target.version} is installed; this patch is for ${VERSION} only. Check whether the new version fixes kafkajs#1751, then update or remove scripts/patches/kafkajs-idle-timer.js.`);
  }
  const text = fs.readFileSync(target.file, 'utf8');
  if (text.includes(PATCHED)) return 'already';
  if (!text.includes(ORIGINAL)) throw new Error(`${target.file} does not contain the code this patch expects; refusing to patch it.`);
  fs.writeFileSync(target.file, text.replace(ORIGINAL, PATCHED));
  return 'patched';
}

/** Whether the kafkajs installed under `root` carries the patch. */
function isPatched(root) {
  const target = locate(root);
  return target !== null && fs.readFileSync(target.file, 'utf8').includes(PATCHED);
}

module.exports = { apply, isPatched, VERSION };

if (require.main === module) {
  const root = path.resolve(__dirname, '..', '..');
  if (process.argv.includes('--check')) {
    const ok = isPatched(root);
    console.error(ok ? 'kafkajs idle-timer patch: applied' : 'kafkajs idle-timer patch: NOT applied (run: node scripts/patches/kafkajs-idle-timer.js)');
    process.exit(ok ? 0 : 1);
  }
  try {
    const result = apply(root);
    if (result === 'patched') console.error('kafkajs idle-timer patch applied (scripts/patches/README.md)');
  } catch (err) {
    console.error(`kafkajs idle-timer patch: ${err.message}`);
    process.exit(1);
  }
}
