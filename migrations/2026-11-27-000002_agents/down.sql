DROP TABLE certificate_authority;
DROP TABLE agent_certificates;
DROP TABLE agents;
DROP FUNCTION agent_counts_apply();
DROP FUNCTION agent_counts_add(TEXT, TEXT, BIGINT);
DROP TABLE agent_counts;
DROP TABLE enrollment_tokens;
