#!/usr/bin/env bash
# Status-change contention: pgbench flips random agents between online and offline (the write a
# connect or a disconnect makes) from many clients at once, against a migrated database with
# 10,000 agents. Reports transactions per second and failed transactions (deadlocks), the
# figures in docs/PERFORMANCE.md. Needs PostgreSQL and pgbench.
# Usage: scripts/status-contention.sh [clients, default 16] [seconds, default 20]
# STRIPED=0 undoes the striped totals (migration 000013) first, to compare with before.
set -euo pipefail
cd "$(dirname "$0")/.."
DATABASE_SERVER="${DATABASE_SERVER:-postgres://postgres@127.0.0.1:5432}"
DATABASE="slimrmm_contention_$$"
WORK="$(mktemp -d)"
trap 'psql "$DATABASE_SERVER/postgres" -qc "DROP DATABASE IF EXISTS $DATABASE" > /dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

psql "$DATABASE_SERVER/postgres" -qc "CREATE DATABASE $DATABASE"
cargo run --quiet -p slimrmm-server -- migrate --database-url "$DATABASE_SERVER/$DATABASE" > /dev/null
if [ "${STRIPED:-1}" = 0 ]; then
  psql "$DATABASE_SERVER/$DATABASE" -q -f migrations/2026-12-01-000013_striped_agent_counts/down.sql
fi
psql "$DATABASE_SERVER/$DATABASE" -q <<'SQL'
INSERT INTO agents (uuid, hostname, os, arch, agent_version, status, registration_token_digest,
                    reregistration_secret_digest, created_at, updated_at, site_id, client_id)
SELECT gen_random_uuid(), 'host-' || lpad(i::text, 5, '0'), (ARRAY['linux','darwin','windows'])[1 + i % 3],
       'x86_64', '2.3.14', (ARRAY['online','offline'])[1 + i % 2], decode(repeat('00', 32), 'hex'),
       decode(repeat('00', 32), 'hex'), now(), now(), (SELECT min(id) FROM sites), (SELECT min(id) FROM clients)
FROM generate_series(1, 10000) AS i;
VACUUM ANALYZE agents;
SQL
# What PresenceRepository::online and ::offline (persistence/src/presence.rs) write for one agent
# (online: the single-agent form of its batch statement), on random agents, half and half.
cat > "$WORK/online.sql" <<'SQL'
\set n random(1, 10000)
WITH previous AS (SELECT uuid, status FROM agents
     WHERE lower(hostname) = 'host-' || lpad(:n::text, 5, '0') AND deleted_at IS NULL AND status IN ('online', 'offline') FOR UPDATE),
 changed AS (UPDATE agents a SET status = 'online', last_seen_at = now(), overdue_at = NULL
     FROM previous p WHERE a.uuid = p.uuid RETURNING a.uuid, p.status AS previous),
 recorded AS (INSERT INTO agent_status_events (agent_uuid, from_status, to_status, at)
     SELECT uuid, previous, 'online', now() FROM changed WHERE previous = 'offline')
 SELECT count(*) FROM changed WHERE previous = 'offline';
SQL
cat > "$WORK/offline.sql" <<'SQL'
\set n random(1, 10000)
WITH changed AS (UPDATE agents SET status = 'offline'
     WHERE lower(hostname) = 'host-' || lpad(:n::text, 5, '0') AND status = 'online' RETURNING uuid, hostname),
 recorded AS (INSERT INTO agent_status_events (agent_uuid, from_status, to_status, at)
     SELECT uuid, 'online', 'offline', now() FROM changed)
 SELECT uuid, hostname FROM changed;
SQL
pgbench --no-vacuum --client "${1:-16}" --jobs 2 --time "${2:-20}" --failures-detailed \
  --max-tries 1 --file "$WORK/online.sql@1" --file "$WORK/offline.sql@1" "$DATABASE_SERVER/$DATABASE" 2>&1 |
  grep -E "^(number of (transactions|failed)|latency average|tps)"
echo "totals: $(psql "$DATABASE_SERVER/$DATABASE" -Atc "SELECT (SELECT sum(count) FROM agent_counts) = (SELECT count(*) FROM agents WHERE deleted_at IS NULL)") (the kept totals equal a real count)"
