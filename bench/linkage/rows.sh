#!/usr/bin/env bash
# Runs every accuracy row of the "MPI registry" issue (FEBRL 1-4 variants, OpenCR Uganda, Splink
# fake_1000) through `npm run eval:linkage` (memory store, --order shuffled --seed 1) and prints, per
# row, its label, wall time and the JSON line. Extra arguments are passed to every run.
#   bash bench/linkage/rows.sh [--store mongo]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/ensure-node.sh && ensure_node
D=bench/data/linkage
NO_ID=given,family,birthDate,gender,phone,otherId,postcode,city,state,address
ROWS=(
  "febrl4-all|--format febrl-link --input $D/febrl-dataset4a.csv --input2 $D/febrl-dataset4b.csv"
  "febrl4-no-id|--format febrl-link --input $D/febrl-dataset4a.csv --input2 $D/febrl-dataset4b.csv --fields $NO_ID"
  "febrl4-names-dob-postcode|--format febrl-link --input $D/febrl-dataset4a.csv --input2 $D/febrl-dataset4b.csv --fields given,family,birthDate,postcode"
  "febrl3-no-id|--format febrl --input $D/febrl-dataset3.csv --fields $NO_ID"
  "febrl3-with-id|--format febrl --input $D/febrl-dataset3.csv"
  "febrl1|--format febrl --input $D/febrl-dataset1.csv"
  "febrl2|--format febrl --input $D/febrl-dataset2.csv"
  "opencr-demographics|--format opencr --input $D/opencr-uganda.csv --fields given,family,birthDate,gender,phone"
  "opencr-nin-art|--format opencr --input $D/opencr-uganda.csv"
  "fake1000|--format generic --input $D/splink-fake-1000.csv"
)
for row in "${ROWS[@]}"; do
  label=${row%%|*}
  args=${row#*|}
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  line=$(node -r @swc-node/register bench/eval-linkage.ts $args --order shuffled --seed 1 --json "$@" | tail -1)
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  printf '%s wall=%.1fs %s\n' "$label" "$wall" "$line"
done
