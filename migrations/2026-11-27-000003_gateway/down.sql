DROP TABLE alerts;
DROP TABLE agent_updates;
DROP TABLE agent_software;
DROP TABLE executions;
DROP TABLE agent_status_events;
DROP TABLE agent_metrics;
DROP TABLE agent_state;
ALTER TABLE agents DROP COLUMN overdue_at, DROP COLUMN maintenance;
