DROP INDEX executions_sent_by_idx;
ALTER TABLE executions DROP COLUMN sent_by;
DROP TABLE server_processes;
DROP TABLE idempotency_keys;
