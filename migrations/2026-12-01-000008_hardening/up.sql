-- Idempotent requests: a user's key, the request it stood for, and the answer once there is
-- one (NULL status: still running). Kept 24 hours.
CREATE TABLE idempotency_keys (
    user_id      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key          TEXT        NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    fingerprint  BYTEA       NOT NULL,
    status       SMALLINT,
    body         BYTEA,
    created_at   TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- Every server process, with a heartbeat: a process whose heartbeat stops is dead, and the
-- survivors settle the commands it had sent.
CREATE TABLE server_processes (
    id           UUID        PRIMARY KEY,
    hostname     TEXT        NOT NULL,
    pid          INTEGER     NOT NULL,
    started_at   TIMESTAMPTZ NOT NULL,
    heartbeat_at TIMESTAMPTZ NOT NULL
);

-- Which process sent an execution (with `sent_on`, the connection).
ALTER TABLE executions ADD COLUMN sent_by UUID;
CREATE INDEX executions_sent_by_idx ON executions (sent_by) WHERE status = 'sent';
