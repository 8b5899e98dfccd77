#!/usr/bin/env bash
# Runs the API reference's Python client (docs/examples/client.py) against a fresh server.
# Needs PostgreSQL and python3 with `requests`. Usage: scripts/examples-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'import requests' 2> /dev/null || {
  echo "python3 needs the requests package (pip install requests)" >&2
  exit 2
}
# shellcheck source=scripts/test-server.sh
source scripts/test-server.sh

output="$(SLIMRMM_URL="$SERVER_URL" SLIMRMM_USERNAME=admin SLIMRMM_PASSWORD="$ADMIN_PASSWORD" \
  python3 docs/examples/client.py)"
echo "$output"
grep -q '^agents online: 0$' <<< "$output"
echo "the Python example works against the server as written"
