#!/usr/bin/env bash
# The single gate (README Quick start, command 2; .ci/run calls exactly this): install what is
# missing, start the local stack if it is not running, then type-check, lint, unit and integration
# tests. Exits non-zero on any failure and ends with one "tests: N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/ensure-node.sh
source scripts/lib/ensure-deps.sh
source scripts/lib/ensure-chromium.sh
ensure_node
ensure_node_modules
ensure_chromium

bash scripts/stack.sh up
set -a; source .stack/env; set +a

step() { printf '\n== %s ==\n' "$1"; }
step "type-check";  npx tsc --noEmit -p tsconfig.json
npx tsc -p src/steward/public/tsconfig.json   # the steward page's browser modules (JSDoc-typed JavaScript)
step "lint";        npx eslint . --max-warnings 0
step "import cycles"; npx madge --circular --extensions ts --ts-config tsconfig.json src

results=$(mktemp -d)
status=0
step "unit tests"
npx jest --selectProjects unit --json --outputFile "$results/unit.json" || status=1
step "integration tests"
npx jest --selectProjects integration --runInBand --json --outputFile "$results/int.json" || status=1

node -e '
  const fs = require("fs"); let p = 0, f = 0;
  for (const n of ["unit", "int"]) {
    const file = process.argv[1] + "/" + n + ".json";
    if (!fs.existsSync(file)) { f += 1; continue; }
    const r = JSON.parse(fs.readFileSync(file, "utf8"));
    p += r.numPassedTests; f += r.numFailedTests + r.numRuntimeErrorTestSuites;
  }
  console.log(`\ntests: ${p} passed, ${f} failed`);
' "$results"
exit $status
