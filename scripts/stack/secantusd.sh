# MongoDB part of the local stack; sourced by scripts/stack.sh (uses its ROOT, STACK, ports and helpers).
# `secantusd-rs` (crate secantus-mdb, GPL-2.0): MongoDB's wire protocol over WiredTiger, MongoDB's own
# storage engine, single node, advertised as a one-member replica set (transactions, change streams).
# A test-time server only: it runs beside Passerelle and is never linked into or shipped with it;
# production and docker-compose.yml run MongoDB 7.
#
# The binary is built once per machine user into a cache outside the clone, keyed by version, so later
# starts (and fresh clones on the same machine) take seconds. PASSERELLE_CACHE moves the cache.

SECANTUS_CRATE=secantus-mdb
SECANTUS_VERSION=0.5.3-beta.196
SECANTUS_CACHE="${PASSERELLE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/passerelle}/$SECANTUS_CRATE-$SECANTUS_VERSION"
SECANTUS_BIN="$SECANTUS_CACHE/bin/secantusd-rs"
SECANTUS_DIR="$STACK/secantusd"
SECANTUS_LOG="$SECANTUS_DIR/secantusd.log"
# WiredTiger's cache; the server's memory stays bounded on a small machine.
SECANTUS_CACHE_SIZE="${STACK_MONGO_CACHE_SIZE:-512M}"
# Matches only this checkout's server (another clone's stack has a different storage path).
SECANTUS_PATTERN="--storage-path $SECANTUS_DIR/data "

# Build into a temporary root first, so an interrupted build never looks like an installed binary.
secantusd_install() {
  [[ -x $SECANTUS_BIN ]] && return 0
  need cargo "install Rust (https://rustup.rs): the MongoDB stand-in is built from crates.io"
  log "mongodb: building $SECANTUS_CRATE $SECANTUS_VERSION from crates.io into $SECANTUS_CACHE (first run only, about 5 minutes)"
  local tmp="$SECANTUS_CACHE.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp" "$STACK"
  # --ignore-rust-version: the crate declares rust-version 1.98; Rust 1.95 compiles it (toolchain.md §6.2).
  # --locked: the dependency versions the crate was published with.
  cargo install "$SECANTUS_CRATE" --version "$SECANTUS_VERSION" --ignore-rust-version --locked --root "$tmp" \
    >"$STACK/secantusd-build.log" 2>&1 ||
    cargo install "$SECANTUS_CRATE" --version "$SECANTUS_VERSION" --ignore-rust-version --root "$tmp" \
      >>"$STACK/secantusd-build.log" 2>&1 || { tail -n 30 "$STACK/secantusd-build.log" >&2; rm -rf "$tmp"; die "mongodb: cargo install $SECANTUS_CRATE failed"; }
  [[ -x $tmp/bin/secantusd-rs ]] || { rm -rf "$tmp"; die "mongodb: the build produced no secantusd-rs binary"; }
  rm -rf "$SECANTUS_CACHE" && mv "$tmp" "$SECANTUS_CACHE"
}

secantusd_start() {
  log "mongodb: starting secantusd-rs $SECANTUS_VERSION on 127.0.0.1:$MONGO_PORT (WiredTiger cache $SECANTUS_CACHE_SIZE)"
  launch secantusd "$SECANTUS_LOG" "$SECANTUS_BIN" --host 127.0.0.1 --port "$MONGO_PORT" \
    --storage-path "$SECANTUS_DIR/data" --cache-size "$SECANTUS_CACHE_SIZE" --log-level WARNING
}

secantusd_up() {
  local pid
  if pid="$(live_pid secantusd "$SECANTUS_PATTERN")"; then
    log "mongodb: already running (pid $pid)"
    return 0
  fi
  mkdir -p "$SECANTUS_DIR/data"
  secantusd_install
  secantusd_start
}
