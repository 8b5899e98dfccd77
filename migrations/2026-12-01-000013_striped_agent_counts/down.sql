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
