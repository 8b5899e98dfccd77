CREATE OR REPLACE FUNCTION agent_counts_add(group_status TEXT, group_os TEXT, delta BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO agent_counts AS c (status, os, count) VALUES (group_status, group_os, greatest(delta, 0))
        ON CONFLICT (status, os) DO UPDATE SET count = c.count + delta;
$$;
CREATE TABLE agent_counts_merged AS
    SELECT status, os, sum(count)::bigint AS count FROM agent_counts GROUP BY status, os;
DROP TABLE agent_counts;
ALTER TABLE agent_counts_merged RENAME TO agent_counts;
ALTER TABLE agent_counts ALTER COLUMN status SET NOT NULL, ALTER COLUMN os SET NOT NULL,
    ALTER COLUMN count SET NOT NULL, ADD PRIMARY KEY (status, os),
    ADD CONSTRAINT agent_counts_count_check CHECK (count >= 0);
-- As it was: groups in no particular order.
CREATE OR REPLACE FUNCTION agent_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    change RECORD;
BEGIN
    IF TG_OP = 'INSERT' THEN
        FOR change IN SELECT status, os, count(*) AS delta FROM new_rows WHERE deleted_at IS NULL GROUP BY status, os
        LOOP
            PERFORM agent_counts_add(change.status, change.os, change.delta);
        END LOOP;
    ELSIF TG_OP = 'DELETE' THEN
        FOR change IN SELECT status, os, -count(*) AS delta FROM old_rows WHERE deleted_at IS NULL GROUP BY status, os
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
        LOOP
            PERFORM agent_counts_add(change.status, change.os, change.delta);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;
