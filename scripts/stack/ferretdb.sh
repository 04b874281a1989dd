# FerretDB part of the local stack; sourced by scripts/stack.sh (uses its ROOT, STACK, ports and helpers).
# FerretDB speaks the MongoDB wire protocol; it stores data in SQLite files under .stack/ferretdb, or,
# with STACK_MONGO_BACKEND=postgresql, in the stack's private PostgreSQL cluster (scripts/stack/postgres.sh).

FERRETDB_MODULE=github.com/FerretDB/FerretDB
FERRETDB_VERSION=v1.24.2
FERRETDB_BIN="$STACK/bin/ferretdb"
FERRETDB_DIR="$STACK/ferretdb"
FERRETDB_LOG="$FERRETDB_DIR/ferretdb.log"
FERRETDB_PATTERN="$FERRETDB_BIN "
# Local patches applied to the source before building (see ferretdb_patch); bump when they change.
FERRETDB_PATCHES="id-index-1"
FERRETDB_STAMP="$STACK/bin/ferretdb.patches"

# Why not simply `go install $FERRETDB_MODULE/cmd/ferretdb@$FERRETDB_VERSION`:
#  - a binary built that way panics at start-up: FerretDB's build/version package requires an embedded
#    build/version/version.txt, which the release's module zip does not contain;
#  - `go install pkg@version` also asks the proxy for the module's version list (deprecation check),
#    which some proxies/mirrors refuse.
# So: download exactly this version (checksum-verified against sum.golang.org), copy the source, add
# version.txt, and build it as its own main module (its go.sum pins every dependency).
ferretdb_install() {
  if [[ -x $FERRETDB_BIN ]] && "$FERRETDB_BIN" --version 2>/dev/null | grep -qx "version: $FERRETDB_VERSION" &&
    [[ "$(cat "$FERRETDB_STAMP" 2>/dev/null)" == "$FERRETDB_PATCHES" ]]; then
    return 0
  fi
  need go "install Go >= 1.21 (https://go.dev/dl/; with GOTOOLCHAIN=auto it fetches the Go 1.24 that FerretDB needs)"
  log "ferretdb: building $FERRETDB_VERSION from the Go module proxy (first run only, about a minute)"
  # auto: a Go older than FerretDB's go.mod fetches the newer toolchain; a newer local Go is used as is.
  local -x GOTOOLCHAIN=auto GOWORK=off
  local build="$STACK/build" src
  rm -rf "$build" && mkdir -p "$build" "$STACK/bin"
  src="$(cd "$build" && go mod download -json "$FERRETDB_MODULE@$FERRETDB_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -n $src && -d $src ]] || die "ferretdb: go mod download $FERRETDB_MODULE@$FERRETDB_VERSION failed"
  cp -R "$src" "$build/ferretdb" && chmod -R u+w "$build/ferretdb"
  echo "$FERRETDB_VERSION" >"$build/ferretdb/build/version/version.txt"
  ferretdb_patch "$build/ferretdb"
  (cd "$build/ferretdb" && go build -trimpath -buildvcs=false -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb) >&2
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  echo "$FERRETDB_PATCHES" >"$FERRETDB_STAMP"
  rm -rf "$build"
}

# FerretDB 1.24.2's SQLite backend creates each collection's unique _id index on the expression
# _ferretdb_sjson->"_id" but filters {_id: ...} finds, updates and deletes on _ferretdb_sjson->'$._id'.
# SQLite only uses an expression index for the identical expression, so every point read or write by
# _id scanned and decoded the whole table (a registration slowed from milliseconds to a second as the
# registry grew). Same value, same JSON text; spelling the filter like the index lets SQLite use it.
ferretdb_patch() {
  local file="$1/internal/backends/sqlite/metadata/metadata.go" before after
  before="$(printf '%s' 'IDColumn = DefaultColumn + "->' "'" '$._id' "'" '"')"
  after='IDColumn = DefaultColumn + `->"_id"`'
  grep -qF "$before" "$file" || die "ferretdb: $file is not the expected $FERRETDB_VERSION source"
  sed -i "/IDColumn = DefaultColumn + /c $after" "$file"
  grep -qF "$after" "$file" || die "ferretdb: patching $file failed"
}

# The --handler flag FerretDB runs with for MONGO_BACKEND (also how a running one is recognised).
ferretdb_handler() {
  case "$MONGO_BACKEND" in
    sqlite) echo sqlite ;;
    postgresql) echo pg ;;
    *) die "STACK_MONGO_BACKEND must be sqlite or postgresql, not '$MONGO_BACKEND'" ;;
  esac
}

ferretdb_start() {
  local handler
  handler="$(ferretdb_handler)"
  log "ferretdb: starting on 127.0.0.1:$MONGO_PORT ($MONGO_BACKEND backend)"
  # --sqlite-url must name an existing directory and end with "/"; --debug-addr=- turns off the
  # :8088 debug listener (it would collide between checkouts); telemetry off: no beacon from dev/CI.
  local storage=(--sqlite-url="file:$FERRETDB_DIR/data/")
  [[ $handler == pg ]] && storage=(--postgresql-url="$PG_URL")
  launch ferretdb "$FERRETDB_LOG" "$FERRETDB_BIN" --handler="$handler" "${storage[@]}" --state-dir="$FERRETDB_DIR" \
    --listen-addr="127.0.0.1:$MONGO_PORT" --debug-addr=- --telemetry=disable --log-level=error
}

ferretdb_up() {
  local pid
  if pid="$(live_pid ferretdb "$FERRETDB_PATTERN")"; then
    log "ferretdb: already running (pid $pid)"
    return 0
  fi
  mkdir -p "$FERRETDB_DIR/data"
  [[ $MONGO_BACKEND == postgresql ]] && postgres_up
  ferretdb_install
  ferretdb_start
}
