# Sourced by the scripts that need a running server: starts `slimrmm-server` (debug build) on
# a free loopback port with a database of its own, and stops it and drops the database on exit.
# Sets SERVER_URL and ADMIN_PASSWORD. Needs PostgreSQL (DATABASE_SERVER, default
# postgres://postgres@127.0.0.1:5432).

DATABASE_SERVER="${DATABASE_SERVER:-postgres://postgres@127.0.0.1:5432}"
TEST_DATABASE="slimrmm_script_check_$$"
TEST_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
TEST_WORK="$(mktemp -d)"
SERVER_URL="http://127.0.0.1:$TEST_PORT"
ADMIN_PASSWORD="script check password"

cargo build --quiet -p slimrmm-server
DATABASE_URL="$DATABASE_SERVER/$TEST_DATABASE" SLIMRMM_BIND="127.0.0.1:$TEST_PORT" \
  SLIMRMM_DEBUG=true SLIMRMM_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
  SLIMRMM_SECRET_KEY="$(printf '42%.0s' $(seq 32))" SLIMRMM_DATA_DIR="$TEST_WORK" RUST_LOG=warn \
  target/debug/slimrmm-server > "$TEST_WORK/server.log" 2>&1 &
TEST_SERVER_PID=$!

stop_test_server() {
  kill "$TEST_SERVER_PID" 2> /dev/null || true
  wait "$TEST_SERVER_PID" 2> /dev/null || true
  psql "$DATABASE_SERVER/postgres" -qc "DROP DATABASE IF EXISTS $TEST_DATABASE" > /dev/null 2>&1 || true
  rm -rf "$TEST_WORK"
}
trap stop_test_server EXIT

for _ in $(seq 1 120); do
  curl -sf "$SERVER_URL/readyz" > /dev/null && break
  sleep 0.5
done
if ! curl -sf "$SERVER_URL/readyz" > /dev/null; then
  cat "$TEST_WORK/server.log" >&2
  echo "the server did not become ready" >&2
  exit 1
fi
