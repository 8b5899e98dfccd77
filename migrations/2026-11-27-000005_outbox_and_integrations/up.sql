-- The outbox: every notification, written in the same transaction as the change that caused
-- it. `payload` holds its facts; `secret` a sealed secret (a password-reset token), wiped once
-- delivered or given up on.
CREATE TABLE notifications (
    id         BIGSERIAL   PRIMARY KEY,
    kind       TEXT        NOT NULL,
    severity   TEXT        NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    summary    TEXT        NOT NULL,
    payload    JSONB       NOT NULL,
    secret     BYTEA,
    created_at TIMESTAMPTZ NOT NULL,
    routed_at  TIMESTAMPTZ
);
CREATE INDEX notifications_unrouted_idx ON notifications (id) WHERE routed_at IS NULL;
CREATE INDEX notifications_created_idx ON notifications (created_at, id);

-- One row per notification and channel it was routed to.
CREATE TABLE notification_deliveries (
    id              BIGSERIAL   PRIMARY KEY,
    notification_id BIGINT      NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    channel         TEXT        NOT NULL CHECK (channel IN ('smtp', 'pushover')),
    status          TEXT        NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts        INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    locked_until    TIMESTAMPTZ,
    last_error      TEXT,
    sent_at         TIMESTAMPTZ,
    UNIQUE (notification_id, channel)
);
CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (next_attempt_at, id)
    WHERE status = 'pending';

-- SMTP and Pushover settings; their secrets sealed with the master key.
CREATE TABLE integrations (
    channel        TEXT        PRIMARY KEY CHECK (channel IN ('smtp', 'pushover')),
    enabled        BOOLEAN     NOT NULL,
    settings       JSONB       NOT NULL,
    secrets        BYTEA       NOT NULL,
    events         TEXT[]      NOT NULL,
    min_severity   TEXT        NOT NULL CHECK (min_severity IN ('info', 'warning', 'critical')),
    last_result_at TIMESTAMPTZ,
    last_error     TEXT,
    updated_at     TIMESTAMPTZ NOT NULL
);
