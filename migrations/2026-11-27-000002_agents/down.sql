DROP TABLE certificate_authority;
DROP TABLE agent_certificates;
DROP TABLE agents;
DROP TABLE enrollment_tokens;
