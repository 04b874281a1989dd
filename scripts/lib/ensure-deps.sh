# Sourced by the npm scripts: install node_modules on a fresh clone (or after package-lock changes).
ensure_node_modules() {
  local stamp=node_modules/.package-lock.json
  if [ ! -d node_modules ] || [ package-lock.json -nt "$stamp" ]; then
    echo "Installing npm dependencies (npm ci)…"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}
