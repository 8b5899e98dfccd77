-- The script library.
CREATE TABLE scripts (
    id              UUID        PRIMARY KEY,
    name            TEXT        NOT NULL,
    description     TEXT,
    script_type     TEXT        NOT NULL
        CHECK (script_type IN ('bash', 'sh', 'powershell', 'python', 'cmd')),
    content         TEXT        NOT NULL CHECK (octet_length(content) <= 65536),
    timeout_seconds INTEGER     NOT NULL CHECK (timeout_seconds BETWEEN 1 AND 600),
    -- Declared platforms; NULL: every system the type runs on.
    platforms       TEXT[],
    category        TEXT,
    created_by      BIGINT      REFERENCES users (id) ON DELETE SET NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX scripts_name_key ON scripts (lower(name));
CREATE INDEX scripts_created_idx ON scripts (created_at, id);
CREATE INDEX scripts_updated_idx ON scripts (updated_at, id);

-- Patch policies. The definition (targets, categories, reboot, schedule, window, timeout) is
-- one document: it is always read and written whole.
CREATE TABLE policies (
    id          UUID        PRIMARY KEY,
    name        TEXT        NOT NULL,
    description TEXT,
    enabled     BOOLEAN     NOT NULL,
    definition  JSONB       NOT NULL,
    next_run_at TIMESTAMPTZ,
    created_by  BIGINT      REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX policies_name_key ON policies (lower(name));
CREATE INDEX policies_due_idx ON policies (next_run_at) WHERE enabled AND next_run_at IS NOT NULL;

CREATE TABLE policy_runs (
    id           UUID        PRIMARY KEY,
    policy_id    UUID        NOT NULL REFERENCES policies (id) ON DELETE CASCADE,
    trigger      TEXT        NOT NULL CHECK (trigger IN ('manual', 'schedule')),
    slot         TIMESTAMPTZ,
    created_by   BIGINT      REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    target_count INTEGER     NOT NULL CHECK (target_count >= 0),
    warnings     TEXT[]      NOT NULL DEFAULT '{}'
);
CREATE INDEX policy_runs_policy_idx ON policy_runs (policy_id, created_at, id);
CREATE INDEX policy_runs_created_idx ON policy_runs (created_at, id);
-- A schedule slot runs once, whatever happens between processes.
CREATE UNIQUE INDEX policy_runs_slot_key ON policy_runs (policy_id, slot) WHERE slot IS NOT NULL;

-- Executions remember the script or policy run they came from; they outlive both, as the
-- record of what was done to each machine.
ALTER TABLE executions
    ADD COLUMN script_id     UUID REFERENCES scripts (id) ON DELETE SET NULL,
    ADD COLUMN policy_run_id UUID REFERENCES policy_runs (id) ON DELETE SET NULL;
CREATE INDEX executions_script_idx ON executions (script_id, created_at, id)
    WHERE script_id IS NOT NULL;
CREATE INDEX executions_policy_run_idx ON executions (policy_run_id, created_at, id)
    WHERE policy_run_id IS NOT NULL;
