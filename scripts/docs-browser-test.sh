#!/usr/bin/env bash
# Loads the interactive documentation (Swagger UI at /docs, ReDoc at /redoc) in headless
# Chromium with no network beyond localhost, checks that the API's operations are listed, and
# fails on any request a page makes to anywhere but this machine.
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

# Renders a page and prints its DOM; every host but 127.0.0.1 resolves to nothing, and every
# request the page makes is written to a network log ($WORK/<name>.netlog.json).
render() { # url, name
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --disable-quic \
    --host-resolver-rules="MAP * ~NOTFOUND, EXCLUDE 127.0.0.1" \
    --log-net-log="$WORK/$2.netlog.json" --net-log-capture-mode=Default \
    --user-data-dir="$WORK/profile-$2" --virtual-time-budget=20000 --dump-dom "$1" 2> /dev/null
}

# Fails when a page asked for anything that is not on this machine (a CDN, a font or logo
# service, a validator), whether or not the request could have succeeded. Chromium's own
# background requests (updates, sign-in) are not the page's: only requests the page
# initiated count.
offline() { # name
  local leaving
  leaving="$(python3 - "$WORK/$1.netlog.json" <<'PY'
import json, sys
from urllib.parse import urlparse
events = json.load(open(sys.argv[1]))["events"]
leaving = set()
for event in events:
    params = event.get("params") or {}
    url, initiator = params.get("url", ""), params.get("initiator", "")
    if not initiator.startswith("http://127.0.0.1"):
        continue
    if urlparse(url).scheme in ("http", "https", "ws", "wss") and urlparse(url).hostname != "127.0.0.1":
        leaving.add(url)
print("\n".join(sorted(leaving)))
PY
)"
  if [ -n "$leaving" ]; then
    echo "FAIL $1: the page made requests that leave the machine:"
    echo "$leaving" | sed 's/^/       /'
    failed=1
  else
    echo "ok   $1: no request of the page leaves the machine"
  fi
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

render "$SERVER_URL/docs/" swagger > "$WORK/swagger.html"
render "$SERVER_URL/redoc" redoc > "$WORK/redoc.html"
offline swagger
offline redoc

# Operations both pages must list (paths in Swagger UI, summaries in ReDoc).
for path in /api/v1/auth/login /api/v1/agents /api/v1/scripts /api/v1/policies /api/v1/audit-logs; do
  check swagger "$path"
done
for summary in "Sign in" "List agents" "Run a script" "The audit log"; do
  check redoc "$summary"
done
if [ "$failed" -ne 0 ]; then
  echo "the documentation pages did not render offline, or not every operation" >&2
  exit 1
fi
echo "both documentation pages list the API's operations, and ask nothing of the internet"
