ALTER TABLE executions DROP COLUMN policy_run_id, DROP COLUMN script_id;
DROP TABLE policy_runs;
DROP TABLE policies;
DROP TABLE scripts;
