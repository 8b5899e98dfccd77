-- The server's security policy: one row, absent until an admin sets it.
CREATE TABLE security_settings (
    id BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
    require_two_factor BOOLEAN NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
