# Sourced by the npm scripts: install node_modules on a fresh clone (or after package-lock changes).
ensure_node_modules() {
  local stamp=node_modules/.package-lock.json
  if [ ! -d node_modules ] || [ package-lock.json -nt "$stamp" ]; then
    echo "Installing npm dependencies…"
    # `npm install` with the committed lock installs the locked versions; `npm ci` refuses this lock
    # because the registry mirror omits other platforms' optional @swc/* entries from it.
    npm install --no-audit --no-fund --loglevel=error
  fi
}
