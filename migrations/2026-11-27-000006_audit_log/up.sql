-- The audit log: append-only; who did what, to what, from where.
CREATE TABLE audit_log (
    id          BIGSERIAL   PRIMARY KEY,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    BIGINT,
    actor_name  TEXT        CHECK (char_length(actor_name) <= 128),
    action      TEXT        NOT NULL CHECK (char_length(action) <= 64),
    target_kind TEXT        CHECK (char_length(target_kind) <= 32),
    target_id   TEXT        CHECK (char_length(target_id) <= 128),
    source_ip   TEXT        CHECK (char_length(source_ip) <= 45),
    success     BOOLEAN     NOT NULL,
    details     JSONB       NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at, id);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, at);
CREATE INDEX audit_log_action_idx ON audit_log (action text_pattern_ops, at);
CREATE INDEX audit_log_target_idx ON audit_log (target_kind, target_id, at);
