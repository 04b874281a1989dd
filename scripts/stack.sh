#!/usr/bin/env bash
# The local development stack (contracts.md §1 "The local stack"): one Apache Kafka 4 broker in KRaft
# combined mode and secantusd-rs (MongoDB's wire protocol over WiredTiger, a one-member replica set),
# installed and run under .stack/ (the secantusd-rs binary in a per-user cache), on loopback only.
#
#   bash scripts/stack.sh up       install what is missing, start what is not running, prove both work,
#                                  write .stack/env and print it
#   bash scripts/stack.sh down     stop the processes this script started
#   bash scripts/stack.sh status   running/stopped per service; exit 0 if both run, 3 otherwise
#
# Ports: STACK_KAFKA_PORT (19092), STACK_KAFKA_CONTROLLER_PORT (19093), STACK_MONGO_PORT (27117) —
# non-standard on purpose, so a developer's own Kafka/MongoDB on the default ports is never touched.
# STACK_TIMEOUT (120) bounds how long `up` waits for readiness (a first build of the MongoDB stand-in
# is not counted); STACK_MONGO_CACHE_SIZE (512M) bounds WiredTiger's cache.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK="$ROOT/.stack"
KAFKA_PORT="${STACK_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${STACK_KAFKA_CONTROLLER_PORT:-19093}"
MONGO_PORT="${STACK_MONGO_PORT:-27117}"
READY_TIMEOUT="${STACK_TIMEOUT:-120}"
# directConnection: the server advertises a one-member replica set whose member name the driver must not
# try to resolve; the database is chosen by MONGODB_DB.
MONGODB_URI="mongodb://127.0.0.1:$MONGO_PORT/?directConnection=true"
KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"

log() { printf '[stack] %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

# need CMD HINT: fail with an install hint instead of a bare "command not found" deep in a step.
need() { command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed: $2"; }

pid_file() { echo "$STACK/$1.pid"; }

# live_pid NAME PATTERN: print the pid from NAME's pid file if that process is alive and its command
# line still contains PATTERN, so a recycled pid (or a zombie, whose cmdline is empty) never counts.
live_pid() {
  local file pid
  file="$(pid_file "$1")"
  [[ -f $file ]] || return 1
  pid="$(<"$file")"
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$2" || return 1
  echo "$pid"
}

# /dev/tcp avoids depending on nc/ss; loopback refuses instantly, timeout only guards odd firewalls.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# A port taken by something that is not ours: say which variable moves us elsewhere.
require_free_port() { # PORT ENVVAR
  if port_open "$1"; then
    die "port $1 is already in use by another process; set $2 to a free port (e.g. $2=$(($1 + 1000)) npm run stack:up)"
  fi
}

# launch NAME LOG CMD...: run CMD detached in its own session (so it outlives this shell and whatever
# process group called us), output appended to LOG. The inner shell writes its own pid and then
# execs CMD, so the pid file holds the server's pid whether or not setsid had to fork.
launch() {
  local name=$1 logfile=$2 file
  shift 2
  file="$(pid_file "$name")"
  rm -f "$file"
  setsid bash -c 'echo $$ >"$0"; exec nohup "$@"' "$file" "$@" </dev/null >>"$logfile" 2>&1 &
  for _ in $(seq 50); do [[ -s $file ]] && return 0; sleep 0.1; done
  die "$name did not start (log: $logfile)"
}

# wait_port NAME PATTERN PORT DEADLINE LOG...: wait for the port; if the process dies first, show why.
wait_port() {
  while ! port_open "$3"; do
    if ! live_pid "$1" "$2" >/dev/null; then
      tail -n 20 "${@:5}" >&2 || true
      die "$1 exited during start-up (logs: ${*:5})"
    fi
    ((SECONDS < $4)) || die "$1 did not open port $3 within ${READY_TIMEOUT}s (logs: ${*:5})"
    sleep 0.3
  done
}

# stop NAME PATTERN: SIGTERM, up to 15 s for a clean shutdown (Kafka flushes and closes its logs), then SIGKILL.
stop() {
  local pid
  if ! pid="$(live_pid "$1" "$2")"; then
    rm -f "$(pid_file "$1")"
    log "$1: not running"
    return 0
  fi
  log "$1: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 150); do live_pid "$1" "$2" >/dev/null || break; sleep 0.1; done
  if live_pid "$1" "$2" >/dev/null; then
    log "$1: still running after 15 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 50); do live_pid "$1" "$2" >/dev/null || break; sleep 0.1; done
  fi
  rm -f "$(pid_file "$1")"
}

# shellcheck source=stack/kafka.sh
source "$ROOT/scripts/stack/kafka.sh"
# shellcheck source=stack/secantusd.sh
source "$ROOT/scripts/stack/secantusd.sh"

# The readiness probe is a Node script using the project's own drivers, so install them on a fresh clone.
ensure_node_drivers() {
  need node "install Node.js 24 (https://nodejs.org/)"
  [[ -d $ROOT/node_modules/kafkajs && -d $ROOT/node_modules/mongodb ]] && return 0
  log "node_modules missing: installing them"
  (cd "$ROOT" && source scripts/lib/ensure-deps.sh && ensure_node_modules) >&2
}

cmd_up() {
  local started=$SECONDS deadline
  mkdir -p "$STACK"
  ensure_node_drivers
  # Check every port before starting anything, so a conflict never leaves half a stack running.
  if live_pid kafka "$KAFKA_PATTERN" >/dev/null; then
    grep -q "^listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT$" \
      "$KAFKA_DIR/server.properties" || die "kafka is running on other ports; run 'npm run stack:down' first"
  else
    require_free_port "$KAFKA_PORT" STACK_KAFKA_PORT
    require_free_port "$KAFKA_CONTROLLER_PORT" STACK_KAFKA_CONTROLLER_PORT
  fi
  if live_pid secantusd "$SECANTUS_PATTERN" >/dev/null; then
    live_pid secantusd "--port $MONGO_PORT " >/dev/null ||
      die "secantusd-rs is running on another port; run 'npm run stack:down' first"
  else
    require_free_port "$MONGO_PORT" STACK_MONGO_PORT
  fi
  # Kafka first: its JVM boots in the background while the MongoDB stand-in compiles on a first run.
  kafka_up
  secantusd_up
  deadline=$((SECONDS + READY_TIMEOUT))
  wait_port kafka "$KAFKA_PATTERN" "$KAFKA_PORT" "$deadline" "$KAFKA_DIR/server.log" "$KAFKA_DIR/stdout.log"
  wait_port secantusd "$SECANTUS_PATTERN" "$MONGO_PORT" "$deadline" "$SECANTUS_LOG"
  # An open port is not readiness: prove a real insert/find and produce/consume round trip.
  (cd "$ROOT" && node scripts/stack-check.js --mongo "$MONGODB_URI" --kafka "$KAFKA_BROKERS" \
    --timeout "$((deadline > SECONDS ? deadline - SECONDS : 1))") >&2 ||
    die "stack started but the round-trip check failed (logs: $KAFKA_DIR/server.log, $SECANTUS_LOG)"
  # SECANTUSD_BIN: tests that take a MongoDB server away run a private one from the same binary.
  # MONGODB_LOOKUP_KEYS_PER_QUERY: the stand-in answers a large `$in` several times slower than the
  # same keys in queries of 64 (measured: 6,500 keys over 32,000 records, 2.5 s against 0.25-0.39 s).
  printf 'MONGODB_URI=%s\nKAFKA_BROKERS=%s\nSECANTUSD_BIN=%s\nMONGODB_LOOKUP_KEYS_PER_QUERY=64\n' "$MONGODB_URI" "$KAFKA_BROKERS" "$SECANTUS_BIN" >"$STACK/env.tmp"
  mv "$STACK/env.tmp" "$STACK/env"
  log "ready in $((SECONDS - started)) s; wrote $STACK/env"
  cat "$STACK/env"
}

cmd_down() {
  stop kafka "$KAFKA_PATTERN"
  stop secantusd "$SECANTUS_PATTERN"
}

# status_line NAME PATTERN PORT URI: "running" needs both the process and its port.
status_line() {
  local pid state=stopped
  if pid="$(live_pid "$1" "$2")"; then
    if port_open "$3"; then state=running; else state="not answering on port $3"; fi
  else
    pid=-
  fi
  printf '%-9s %-8s pid %-8s %s\n' "$1" "$state" "$pid" "$4"
  [[ $state == running ]]
}

cmd_status() {
  local rc=0
  status_line kafka "$KAFKA_PATTERN" "$KAFKA_PORT" "$KAFKA_BROKERS" || rc=3
  status_line secantusd "$SECANTUS_PATTERN" "$MONGO_PORT" "$MONGODB_URI" || rc=3
  return $rc
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) echo "usage: bash scripts/stack.sh up|down|status" >&2; exit 2 ;;
esac
