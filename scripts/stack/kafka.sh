# Kafka part of the local stack; sourced by scripts/stack.sh (uses its ROOT, STACK, ports and helpers).
# No distribution tarball: the broker is kafka_2.13 and its dependencies from Maven Central
# (stack/pom.xml), run with the machine's Java 17 as `java -cp 'libs/*' kafka.Kafka server.properties`.

KAFKA_DIR="$STACK/kafka"
# Matches only this checkout's broker (another clone's stack has a different server.properties path).
KAFKA_PATTERN="kafka.Kafka $KAFKA_DIR/server.properties"

need_java17() {
  need java "install Java 17: apt-get install openjdk-17-jre-headless"
  local major
  major="$(java -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')"
  ((${major:-0} >= 17)) || die "Kafka 4 needs Java 17+, found '$(java -version 2>&1 | head -n1)': apt-get install openjdk-17-jre-headless"
}

# Resolve the jars once; the stamp (pom checksum) re-resolves only when stack/pom.xml changes.
kafka_install() {
  local want stamp="$KAFKA_DIR/libs/.pom.sha256"
  want="$(sha256sum "$ROOT/stack/pom.xml" | cut -d' ' -f1)"
  [[ -f $stamp && "$(<"$stamp")" == "$want" ]] && return 0
  need mvn "install Maven: apt-get install maven"
  log "kafka: resolving jars from Maven Central into $KAFKA_DIR/libs (first run only)"
  rm -rf "$KAFKA_DIR/libs.tmp"
  # Into a temporary directory first, so an interrupted download never looks like a complete install.
  mvn -q -B -f "$ROOT/stack/pom.xml" dependency:copy-dependencies -DoutputDirectory="$KAFKA_DIR/libs.tmp" \
    >"$KAFKA_DIR/mvn.log" 2>&1 || { cat "$KAFKA_DIR/mvn.log" >&2; die "kafka: maven could not resolve stack/pom.xml"; }
  [[ -n "$(ls "$KAFKA_DIR"/libs.tmp/kafka_2.13-*.jar 2>/dev/null)" ]] || die "kafka: maven did not produce kafka_2.13 jar"
  echo "$want" >"$KAFKA_DIR/libs.tmp/.pom.sha256"
  rm -rf "$KAFKA_DIR/libs"
  mv "$KAFKA_DIR/libs.tmp" "$KAFKA_DIR/libs"
}

kafka_java() { java -cp "$KAFKA_DIR/libs/*" "$@"; }

# Rendered on every start so that changed STACK_KAFKA_* ports apply; the storage does not record
# them (static quorum), so no re-format is needed.
kafka_configure() {
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" -e "s|@CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
    -e "s|@DATA_DIR@|$KAFKA_DIR/data|g" "$ROOT/stack/server.properties.template" >"$KAFKA_DIR/server.properties"
}

# KRaft storage must be formatted once with a cluster id before the first start.
kafka_format() {
  [[ -f $KAFKA_DIR/data/meta.properties ]] && return 0
  local id
  id="$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
  [[ -n $id ]] || die "kafka: StorageTool random-uuid failed"
  log "kafka: formatting storage (cluster id $id)"
  kafka_java kafka.tools.StorageTool format -t "$id" -c "$KAFKA_DIR/server.properties" \
    >"$KAFKA_DIR/format.log" 2>&1 || { cat "$KAFKA_DIR/format.log" >&2; die "kafka: storage format failed"; }
}

kafka_start() {
  log "kafka: starting broker on 127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT)"
  launch kafka "$KAFKA_DIR/stdout.log" java -Xms128m -Xmx384m -XX:+ExitOnOutOfMemoryError \
    -Djava.awt.headless=true -Dkafka.logs.dir="$KAFKA_DIR" \
    -Dlog4j2.configurationFile="$ROOT/stack/log4j2.xml" \
    -cp "$KAFKA_DIR/libs/*" kafka.Kafka "$KAFKA_DIR/server.properties"
}

# Reuse a running broker; otherwise (no or stale pid file) install, configure, format and start.
kafka_up() {
  local pid
  if pid="$(live_pid kafka "$KAFKA_PATTERN")"; then
    log "kafka: already running (pid $pid)"
    return 0
  fi
  need_java17
  mkdir -p "$KAFKA_DIR/data"
  kafka_install
  kafka_configure
  kafka_format
  kafka_start
}
