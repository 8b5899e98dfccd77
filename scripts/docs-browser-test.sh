#!/usr/bin/env bash
# Loads the interactive documentation (Swagger UI at /docs, ReDoc at /redoc) in headless
# Chromium with no network beyond localhost, and checks that the API's operations are listed.
# Needs PostgreSQL (DATABASE_SERVER, default postgres://postgres@127.0.0.1:5432) and Debian's
# `chromium` (apt install chromium). Usage: scripts/docs-browser-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [ -z "$CHROMIUM" ]; then
  echo "chromium is not installed (apt install chromium)" >&2
  exit 2
fi
WORK="$(mktemp -d)"
# shellcheck source=scripts/test-server.sh
source scripts/test-server.sh
trap 'stop_test_server; rm -rf "$WORK"' EXIT

# Renders a page and prints its DOM; every host but 127.0.0.1 resolves to nothing.
render() {
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
    --user-data-dir="$WORK/profile" --virtual-time-budget=20000 --dump-dom "$1" 2> /dev/null
}

failed=0
check() { # page, text that must appear
  if grep -qF -- "$2" "$WORK/$1.html"; then
    echo "ok   $1: $2"
  else
    echo "FAIL $1: $2 not found"
    failed=1
  fi
}

render "$SERVER_URL/docs/" > "$WORK/swagger.html"
render "$SERVER_URL/redoc" > "$WORK/redoc.html"

# Operations both pages must list (paths in Swagger UI, summaries in ReDoc).
for path in /api/v1/auth/login /api/v1/agents /api/v1/scripts /api/v1/policies /api/v1/audit-logs; do
  check swagger "$path"
done
for summary in "Sign in" "List agents" "Run a script" "The audit log"; do
  check redoc "$summary"
done
if [ "$failed" -ne 0 ]; then
  echo "the documentation pages did not render the operations" >&2
  exit 1
fi
echo "both documentation pages list the API's operations, offline"
