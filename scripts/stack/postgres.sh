# PostgreSQL part of the local stack, used only with STACK_MONGO_BACKEND=postgresql (FerretDB --handler=pg,
# for load tests: contracts.md §1). Sourced by scripts/stack.sh (uses its STACK, helpers and PG_PORT).
# A private cluster under .stack/postgres, managed with pg_ctl (it keeps postmaster.pid itself),
# listening on 127.0.0.1:STACK_PG_PORT only with trust auth from 127.0.0.1 and no Unix socket.
# PostgreSQL refuses to run as root, so under root the cluster belongs to the `postgres` OS user.

PG_DIR="$STACK/postgres"
PG_DATA="$PG_DIR/data"
PG_LOG="$PG_DIR/postgres.log"
PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/ferretdb"

# The newest Debian postgresql binaries (/usr/lib/postgresql/<major>/bin), or nothing.
pg_bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n $d && -x $d/initdb ]] && echo "$d"
}

# pg_run CMD...: run a PostgreSQL binary as the cluster's owner.
pg_run() {
  if ((EUID == 0)); then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_running() {
  [[ -f $PG_DATA/PG_VERSION ]] && pg_run "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

pg_init() {
  [[ -f $PG_DATA/PG_VERSION ]] && return 0
  log "postgres: creating a cluster in $PG_DATA"
  mkdir -p "$PG_DIR"
  if ((EUID == 0)); then
    id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' OS user (apt-get install postgresql creates it)"
    chown postgres: "$PG_DIR"
  fi
  pg_run "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 ||
    die "postgres: initdb failed (log: $PG_DIR/initdb.log)"
  # Trust from 127.0.0.1 only; a throw-away dev cluster, so commits need not wait for the disk.
  printf 'host all all 127.0.0.1/32 trust\n' | pg_run tee "$PG_DATA/pg_hba.conf" >/dev/null
  printf "listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\nsynchronous_commit = off\n" |
    pg_run tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

# postgres_up: start the cluster on PG_PORT (if not running) and make sure the ferretdb database exists.
postgres_up() {
  PG_BIN="$(pg_bindir)" || die "PostgreSQL is not installed (STACK_MONGO_BACKEND=postgresql): apt-get install postgresql"
  pg_init
  if pg_running; then
    grep -q "^port = $PG_PORT$" "$PG_DATA/postgresql.auto.conf" 2>/dev/null ||
      die "postgres is running on another port; run 'npm run stack:down' first"
    log "postgres: already running"
  else
    require_free_port "$PG_PORT" STACK_PG_PORT
    printf 'port = %s\n' "$PG_PORT" | pg_run tee "$PG_DATA/postgresql.auto.conf" >/dev/null
    log "postgres: starting on 127.0.0.1:$PG_PORT"
    pg_run "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$READY_TIMEOUT" start >/dev/null ||
      die "postgres did not start (log: $PG_LOG)"
  fi
  if ! "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'ferretdb'" | grep -q 1; then
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres ferretdb || die "postgres: could not create the ferretdb database"
  fi
}

postgres_down() {
  PG_BIN="$(pg_bindir)" || return 0
  if pg_running; then
    log "postgres: stopping"
    pg_run "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
  else
    log "postgres: not running"
  fi
}

# postgres_status: one status line; true when running.
postgres_status() {
  local state=stopped pid=-
  if PG_BIN="$(pg_bindir)" && pg_running; then
    state=running
    pid="$(head -n 1 "$PG_DATA/postmaster.pid")"
  fi
  printf '%-9s %-8s pid %-8s %s\n' postgres "$state" "$pid" "postgres://127.0.0.1:$PG_PORT (FerretDB backend)"
  [[ $state == running ]]
}
