-- Two-factor sign-in: a TOTP secret per user (sealed with the master key), its single-use
-- recovery codes (digests only), and the password step's challenges.
CREATE TABLE user_two_factor (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret BYTEA NOT NULL,
    active BOOLEAN NOT NULL DEFAULT FALSE,
    last_step BIGINT,
    created_at TIMESTAMPTZ NOT NULL,
    activated_at TIMESTAMPTZ
);

CREATE TABLE user_recovery_codes (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES user_two_factor (user_id) ON DELETE CASCADE,
    digest BYTEA NOT NULL,
    used_at TIMESTAMPTZ
);
CREATE INDEX user_recovery_codes_user ON user_recovery_codes (user_id) WHERE used_at IS NULL;

CREATE TABLE login_challenges (
    digest BYTEA PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    consumed_at TIMESTAMPTZ
);
CREATE INDEX login_challenges_expiry ON login_challenges (expires_at);
