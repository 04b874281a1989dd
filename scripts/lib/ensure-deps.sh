# Sourced by the npm scripts: install node_modules on a fresh clone (or after package-lock changes)
# exactly as locked: `npm ci` from the committed lock, which lists every platform's optional packages.
ensure_node_modules() {
  local stamp=node_modules/.package-lock.json
  if [ ! -d node_modules ] || [ package-lock.json -nt "$stamp" ]; then
    echo "Installing npm dependencies (npm ci)…"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  # Patches to installed dependencies (scripts/patches/README.md); idempotent, also for a
  # node_modules installed before a patch was added.
  node scripts/patches/kafkajs-idle-timer.js
}
