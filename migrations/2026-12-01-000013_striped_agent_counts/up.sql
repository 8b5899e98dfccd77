-- The live-agent totals were one row per (status, os), which every status change updated: at a
-- few hundred status changes a second (a connect storm, a site going offline) writers queued on
-- those rows, and two statements touching the same groups in another order deadlocked. Each
-- group is now striped over 16 rows; a transaction adds to the stripe of its server backend,
-- so concurrent writers rarely meet, and the groups are always locked in one order. A total is
-- the sum of its stripes (a stripe alone may go below zero).
ALTER TABLE agent_counts ADD COLUMN stripe SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE agent_counts DROP CONSTRAINT agent_counts_pkey;
ALTER TABLE agent_counts ADD PRIMARY KEY (status, os, stripe);
ALTER TABLE agent_counts DROP CONSTRAINT agent_counts_count_check;
ALTER TABLE agent_counts ADD CONSTRAINT agent_counts_stripe_check CHECK (stripe BETWEEN 0 AND 15);

CREATE OR REPLACE FUNCTION agent_counts_add(group_status TEXT, group_os TEXT, delta BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO agent_counts AS c (status, os, stripe, count)
        VALUES (group_status, group_os, pg_backend_pid() % 16, delta)
        ON CONFLICT (status, os, stripe) DO UPDATE SET count = c.count + delta;
$$;

CREATE OR REPLACE FUNCTION agent_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change RECORD;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR change IN SELECT status, os, count(*) AS delta FROM new_rows WHERE deleted_at IS NULL
                      GROUP BY status, os ORDER BY status, os
        LOOP
            PERFORM agent_counts_add(change.status, change.os, change.delta);
        END LOOP;
    ELSIF TG_OP = 'DELETE' THEN
        FOR change IN SELECT status, os, -count(*) AS delta FROM old_rows WHERE deleted_at IS NULL
                      GROUP BY status, os ORDER BY status, os
        LOOP
            PERFORM agent_counts_add(change.status, change.os, change.delta);
        END LOOP;
    ELSE
        FOR change IN
            SELECT status, os, sum(delta) AS delta FROM (
                SELECT status, os, 1 AS delta FROM new_rows WHERE deleted_at IS NULL
                UNION ALL
                SELECT status, os, -1 AS delta FROM old_rows WHERE deleted_at IS NULL
            ) AS changes
            GROUP BY status, os
            HAVING sum(delta) <> 0
            ORDER BY status, os
        LOOP
            PERFORM agent_counts_add(change.status, change.os, change.delta);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;
