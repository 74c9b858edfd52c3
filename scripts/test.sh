#!/usr/bin/env bash
# The whole test suite: typecheck, lint, OpenAPI drift, then Vitest against the local Postgres
# (each run in its own fresh database) plus the PGlite smoke test and the Chromium browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ]; then npm ci --no-audit --no-fund; fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

# Browser tests drive Debian's chromium; never a downloaded browser build.
# The document tests read PDFs back with poppler's pdftotext and pdftoppm.
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v pdftotext >/dev/null 2>&1 || missing="$missing poppler-utils"
if [ -n "$missing" ]; then
  # shellcheck disable=SC2086
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null) \
    || echo "warning: could not install$missing; browser and document tests will fail"
fi

echo "== typecheck"; npx tsc --noEmit && npx tsc --noEmit -p examples/merchant-app
echo "== lint"; npx biome check .
echo "== dependency rules"; npx depcruise src --config .dependency-cruiser.cjs --output-type err
echo "== openapi drift"
npx tsx src/cli/main.ts openapi > /tmp/glade-openapi.$$.json
if ! diff -q openapi.json /tmp/glade-openapi.$$.json >/dev/null; then
  echo "openapi.json is out of date: run 'npm run openapi:write' and commit it"; rm -f /tmp/glade-openapi.$$.json; exit 1
fi
rm -f /tmp/glade-openapi.$$.json
echo "== tests"
mkdir -p test-artifacts
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-artifacts/vitest-results.json "$@" || status=$?
# One plain closing line that any CI reader understands.
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-artifacts/vitest-results.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit $status
