#!/usr/bin/env bash
# README Quick start, command 1: install what is missing, start the local stack, start fake DHIS2,
# OpenMRS, iHRIS and national-registry servers on loopback, start Passerelle on http://127.0.0.1:3000
# in development mode with its channels pointing at them, let the channels sync, and print the golden
# records formed, the write-backs and what to try next.
# Ctrl-C stops Passerelle (the stack keeps running; `npm run stack:down` stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-node.sh
source scripts/lib/ensure-deps.sh
ensure_node
ensure_node_modules

bash scripts/stack.sh up
set -a; source .stack/env; set +a
export NODE_ENV=development PORT="${PORT:-3000}" HOST=127.0.0.1 MONGODB_DB="${MONGODB_DB:-passerelle_demo_$(date +%s)}"
export AUTH_MODE="${AUTH_MODE:-none}" LOG_LEVEL="${LOG_LEVEL:-warn}" KAFKAJS_NO_PARTITIONER_WARNING=1

# Fake DHIS2, OpenMRS, iHRIS and national registry on loopback, fed with the published payloads
# (test/fixtures/payloads) and generated people; they write the channels' settings to a file.
upstreams_env=.stack/demo-upstreams.env
rm -f "$upstreams_env"
node -r @swc-node/register scripts/demo-upstreams.ts "$upstreams_env" &
upstreams=$!
for _ in $(seq 1 120); do
  [ -s "$upstreams_env" ] && break
  kill -0 $upstreams 2>/dev/null || { echo "the demo upstreams exited during start-up" >&2; exit 1; }
  sleep 0.5
done
set -a; source "$upstreams_env"; set +a

node --max-semi-space-size=64 -r @swc-node/register src/main.ts &
pid=$!
trap 'kill -TERM $pid $upstreams 2>/dev/null; wait $pid $upstreams 2>/dev/null' INT TERM EXIT

base="http://127.0.0.1:$PORT"
for _ in $(seq 1 120); do
  if curl -fsS "$base/ready" >/dev/null 2>&1; then break; fi
  kill -0 $pid 2>/dev/null || { echo "Passerelle exited during start-up" >&2; exit 1; }
  sleep 0.5
done
curl -fsS "$base/ready" >/dev/null || { echo "Passerelle did not become ready:" >&2; curl -sS "$base/ready" >&2; exit 1; }

node -r @swc-node/register scripts/demo-load.ts "$base"

cat <<TXT

Passerelle is running on $base  (ready: $(curl -fsS "$base/ready"))

Try:
  curl -s $base/ready
  curl -s $base/fhir/metadata | head -c 400
  curl -s '$base/fhir/Patient?family=Kelly&_count=5'
  curl -s '$base/fhir/Patient/\$ihe-pix?sourceIdentifier=urn:passerelle:dhis2:tracked-entity|PQfMcpmXeFE'
  curl -s $base/sync/status
  curl -s '$base/sync/failures?channel=dhis2'
  curl -s -X POST $base/fhir/Patient/\$match -H 'content-type: application/fhir+json' \\
       -d '{"resourceType":"Parameters","parameter":[{"name":"resource","resource":{"resourceType":"Patient","name":[{"family":"Kelly","given":["John"]}],"gender":"male"}}]}'

Ctrl-C stops Passerelle; 'npm run stack:down' stops Kafka and the MongoDB stand-in.
TXT
wait $pid
